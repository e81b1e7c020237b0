"""Proof Key for Code Exchange.

Implements: RFC 7636 §4.2 (challenge syntax), §4.3 (`plain` is the default method),
§4.6 (verification, compared in constant time). S256 is required unless the
application allows `plain` (Asgardeo `pkce.supportPlainTransformAlgorithm`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Literal

from runegate.errors import InvalidRequest

Method = Literal["S256", "plain"]
METHODS: tuple[Method, ...] = ("S256", "plain")
# RFC 7636 §4.1/§4.2: 43 to 128 unreserved characters.
_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def check_challenge(
    challenge: str | None, method: str | None, *, required: bool, plain_allowed: bool
) -> tuple[str, Method] | None:
    """The challenge and its method, or None when PKCE is not used (and not required)."""
    if challenge is None:
        if method is not None:
            raise InvalidRequest("code_challenge_method was sent without a code_challenge.")
        if required:
            raise InvalidRequest("A code_challenge (PKCE, method S256) is required.")
        return None
    chosen = method or "plain"  # RFC 7636 §4.3
    if chosen == "S256":
        checked: Method = "S256"
    elif chosen == "plain" and plain_allowed:
        checked = "plain"
    else:
        raise InvalidRequest("The code_challenge_method must be S256.")
    if not _VALUE.fullmatch(challenge):
        raise InvalidRequest("The code_challenge is malformed.")
    return challenge, checked


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verify(verifier: str | None, challenge: str, method: str) -> bool:
    """RFC 7636 §4.6: transform the verifier and compare in constant time."""
    if verifier is None or not _VALUE.fullmatch(verifier):
        return False
    computed = s256(verifier) if method == "S256" else verifier
    return hmac.compare_digest(computed.encode(), challenge.encode())
