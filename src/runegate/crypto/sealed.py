"""Small payloads sealed with an HMAC under the server secret (tamper-proof, bound to a
purpose, short-lived): authorization requests carried through the login and consent
forms, SCIM paging cursors."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import Any

import orjson

SEALED_LIFETIME = 600  # seconds a login or consent form stays usable


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, purpose: str, data: str) -> str:
    return _b64(hmac.new(key, f"{purpose}.{data}".encode(), hashlib.sha256).digest())


def seal(
    keys: tuple[bytes, ...], purpose: str, payload: dict[str, Any], lifetime: int = SEALED_LIFETIME
) -> str:
    body = {"p": payload, "e": int(time.time()) + lifetime}
    data = _b64(orjson.dumps(body))
    return f"{data}.{_mac(keys[0], purpose, data)}"


class SealError(Exception):
    """A sealed value that is forged, for another purpose or malformed."""


class SealExpired(SealError):
    """A genuine sealed value whose lifetime is over."""


def open_sealed(keys: tuple[bytes, ...], purpose: str, sealed: str) -> dict[str, Any]:
    """The payload; SealExpired when genuine but expired, SealError otherwise."""
    if not sealed or len(sealed) > 16384 or not sealed.isascii():
        raise SealError  # compare_digest refuses non-ASCII strings (found by fuzzing)
    data, _, mac = sealed.partition(".")
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(_mac(key, purpose, data), mac)
    if not matched:
        raise SealError
    try:
        body = orjson.loads(_unb64(data))
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise SealError from exc
    if not isinstance(body, dict) or not isinstance(body.get("p"), dict):
        raise SealError
    if not isinstance(body.get("e"), int):
        raise SealError
    if body["e"] < time.time():
        raise SealExpired
    payload: dict[str, Any] = body["p"]
    return payload


def unseal(keys: tuple[bytes, ...], purpose: str, sealed: str | None) -> dict[str, Any] | None:
    """The payload, or None when forged, for another purpose, malformed or expired."""
    try:
        return open_sealed(keys, purpose, sealed or "")
    except SealError:
        return None
