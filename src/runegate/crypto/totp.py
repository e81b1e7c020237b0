"""Time-based one-time passwords for the second sign-in factor.

Implements: RFC 4226 §5.3 (HOTP: HMAC-SHA-1, dynamic truncation, 6 digits) and
RFC 6238 §4 (TOTP: T = floor(unix time / 30)). See: RFC 6238 §5.2 (a window of one
step either side for clock drift; a code is accepted once: the caller stores the
step it matched and refuses that step and earlier ones).
The `otpauth://` URI is the key-uri format that authenticator apps read from a QR code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
import struct
import time
from urllib.parse import quote
from urllib.parse import urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted on either side of the current one
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA-1 block size recommended by RFC 4226 §4


def new_secret() -> str:
    """A random secret in base32 without padding (as authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii").rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))


def hotp(secret: str, counter: int) -> str:
    """RFC 4226 §5.3: HMAC-SHA-1 over the 8-byte counter, dynamically truncated."""
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    """RFC 6238 §4.2: T = floor((now - T0) / X) with T0 = 0 and X = 30 s."""
    return int((time.time() if now is None else now) // STEP_SECONDS)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The step (within the window) whose code is `code`, or None.

    Every candidate is compared in constant time, and all are computed."""
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    here = current_step(now)
    found: int | None = None
    for step in range(here - WINDOW, here + WINDOW + 1):
        if hmac.compare_digest(hotp(secret, step), code):
            found = step
    return found


def otpauth_uri(secret: str, *, issuer: str, account: str) -> str:
    """The key URI an authenticator app reads (label `issuer:account`)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The URI as a QR code in SVG (drawn here, no external service)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    text = buffer.getvalue().decode("utf-8")
    return text[text.index("<svg") :]  # without the XML declaration, to inline in HTML
