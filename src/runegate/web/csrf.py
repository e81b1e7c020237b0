"""CSRF protection for the sign-in forms: a signed double-submit cookie.

The cookie holds a random value; each form carries HMAC-SHA-256(server key, value), so a
cross-site page can neither read nor forge the token (OWASP CSRF cheat sheet, "signed
double-submit cookie"). Compared in constant time against every configured key.
"""

from __future__ import annotations

import hashlib
import hmac

from runegate.crypto.hashing import random_secret

CSRF_COOKIE = "runegate_csrf"
_MAX_COOKIE = 64


def new_cookie_value() -> str:
    return random_secret(32)


def usable_cookie(value: str | None) -> str | None:
    if value is None or not 20 <= len(value) <= _MAX_COOKIE:
        return None
    return value


def csrf_token(key: bytes, cookie_value: str) -> str:
    return hmac.new(key, f"csrf:{cookie_value}".encode(), hashlib.sha256).hexdigest()


def check_csrf(keys: tuple[bytes, ...], cookie_value: str | None, submitted: str | None) -> bool:
    if usable_cookie(cookie_value) is None or not submitted or not submitted.isascii():
        return False  # compare_digest refuses non-ASCII strings (found by fuzzing)
    assert cookie_value is not None
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(csrf_token(key, cookie_value), submitted)
    return matched
