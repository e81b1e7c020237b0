"""Password hashing (argon2id) and keyed hashes for high-entropy secrets.

Client secrets and tokens are 256-bit random values: a keyed hash (HMAC-SHA-256 under
the server secret) is as safe as a slow hash for them and costs microseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

_password_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 defaults


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _password_hasher.check_needs_rehash(password_hash)


def random_secret(nbytes: int = 32) -> str:
    """A URL-safe random value with `nbytes` bytes (256 bits by default) of entropy."""
    return secrets.token_urlsafe(nbytes)


def keyed_hash(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def keyed_hashes(keys: tuple[bytes, ...], value: str) -> list[str]:
    """The hash under every configured key, newest first (for lookups during rotation)."""
    return [keyed_hash(key, value) for key in keys]


def verify_keyed_hash(keys: tuple[bytes, ...], value: str, stored: str) -> bool:
    """Constant-time comparison against every configured key."""
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(keyed_hash(key, value), stored)
    return matched
