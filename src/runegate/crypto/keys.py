"""Signing key material: generation, encryption at rest, and JWK thumbprint ids.

Private keys are PEM (PKCS#8) encrypted with Fernet under keys derived (HKDF-SHA-256)
from every configured server secret; the first secret encrypts, all decrypt (rotation).
Key ids follow Asgardeo: `<RFC 7638 thumbprint>_<alg>`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from typing import Literal

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.fernet import MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

Algorithm = Literal["RS256", "PS256", "ES256"]
ALGORITHMS: tuple[Algorithm, ...] = ("RS256", "PS256", "ES256")
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_HKDF_INFO = b"runegate signing-key encryption v1"


class KeyDecryptionError(Exception):
    """No configured server secret decrypts the stored key."""


def check_algorithm(alg: str) -> Algorithm:
    if alg not in ALGORITHMS:
        raise ValueError(f"unsupported signing algorithm {alg!r} (one of {', '.join(ALGORITHMS)})")
    return alg


def generate_private_key(alg: Algorithm) -> PrivateKey:
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _fernet(secret: bytes, info: bytes = _HKDF_INFO) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt_value(value: str, secrets: tuple[bytes, ...], *, purpose: str) -> str:
    """Encrypt a small secret at rest (Fernet: AES-128-CBC + HMAC-SHA-256) under a key
    derived from the first server secret for `purpose`."""
    info = f"runegate {purpose} encryption v1".encode()
    return _fernet(secrets[0], info).encrypt(value.encode()).decode()


def decrypt_value(token: str, secrets: tuple[bytes, ...], *, purpose: str) -> str:
    """The value `encrypt_value` sealed; every configured secret is tried (rotation)."""
    info = f"runegate {purpose} encryption v1".encode()
    try:
        return MultiFernet([_fernet(s, info) for s in secrets]).decrypt(token.encode()).decode()
    except InvalidToken:
        raise KeyDecryptionError(f"no configured secret decrypts this {purpose}") from None


def encrypt_private_key(key: PrivateKey, secrets: tuple[bytes, ...]) -> str:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _fernet(secrets[0]).encrypt(pem).decode()


def decrypt_private_key(token: str, secrets: tuple[bytes, ...]) -> bytes:
    """The PEM of a stored key; every configured secret is tried."""
    try:
        return MultiFernet([_fernet(s) for s in secrets]).decrypt(token.encode())
    except InvalidToken:
        raise KeyDecryptionError("no configured secret decrypts this signing key") from None


def _b64(value: int, length: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes(length, "big")).rstrip(b"=").decode()


def public_jwk(key: PrivateKey, alg: Algorithm) -> dict[str, Any]:
    """The public JWK (RFC 7517) with `kid`, `alg` and `use`."""
    jwk: dict[str, Any]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        numbers = key.public_key().public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": _b64(numbers.x, 32), "y": _b64(numbers.y, 32)}
    else:
        pub = key.public_key().public_numbers()
        jwk = {"kty": "RSA", "e": _b64(pub.e, 3), "n": _b64(pub.n, (pub.n.bit_length() + 7) // 8)}
    return {**jwk, "kid": f"{thumbprint(jwk)}_{alg}", "alg": alg, "use": "sig"}


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 §3: SHA-256 over the required members, sorted, without whitespace."""
    required = ("crv", "kty", "x", "y") if jwk["kty"] == "EC" else ("e", "kty", "n")
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@dataclass(frozen=True, slots=True)
class NewKey:
    kid: str
    alg: Algorithm
    encrypted_private_key: str
    public_jwk: dict[str, Any]


def new_signing_key(alg: Algorithm, secrets: tuple[bytes, ...]) -> NewKey:
    key = generate_private_key(alg)
    jwk = public_jwk(key, alg)
    return NewKey(jwk["kid"], alg, encrypt_private_key(key, secrets), jwk)
