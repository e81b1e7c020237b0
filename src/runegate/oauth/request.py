"""Framework-free request parsing for the OAuth endpoints.

Implements: RFC 6749 §3.2 (form-encoded bodies, parameters at most once),
RFC 6749 §3.1 (empty parameters are treated as omitted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from runegate.errors import InvalidRequest
from runegate.tenancy.context import TenantContext

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class OAuthRequest:
    """What an OAuth endpoint needs from an HTTP request."""

    tenant: TenantContext
    params: Mapping[str, str]
    authorization: str | None = None


def check_form_content_type(content_type: str | None) -> None:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != FORM:
        # RFC 6749 §3.2: the token endpoint takes application/x-www-form-urlencoded.
        raise InvalidRequest("The request body must be application/x-www-form-urlencoded.")


def parse_form(content_type: str | None, body: bytes) -> dict[str, str]:
    """Decode the body; refuse repeated parameters (RFC 6749 §3.2)."""
    check_form_content_type(content_type)
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        raise InvalidRequest("The request body is not a valid form.") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in params:
            raise InvalidRequest(f"The parameter {printable(name)} is repeated.")
        params[name] = value
    # RFC 6749 §3.1: parameters sent without a value are treated as omitted.
    return {name: value for name, value in params.items() if value}


def printable(text: str) -> str:
    cleaned = "".join(c for c in text[:40] if 0x20 <= ord(c) <= 0x7E and c not in '"\\')
    return cleaned or "?"
