"""Scope parameter handling.

Implements: RFC 6749 §3.3 (scope syntax: space-delimited, case-sensitive tokens of
%x21 / %x23-5B / %x5D-7E; the server may grant fewer scopes than requested).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from runegate.errors import InvalidScope

_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def parse_scope(value: str | None) -> tuple[str, ...]:
    """The requested scopes in request order, without duplicates."""
    if not value:
        return ()
    seen: dict[str, None] = {}
    for token in value.split(" "):
        if not token:
            continue
        if not _SCOPE_TOKEN.fullmatch(token):
            raise InvalidScope("The scope parameter has invalid characters.")
        seen.setdefault(token, None)
    return tuple(seen)


def grant_scopes(requested: tuple[str, ...], authorized: Mapping[str, str]) -> tuple[str, ...]:
    """CONTRACT §4.3: keep the requested scopes the application is authorized for."""
    return tuple(scope for scope in requested if scope in authorized)
