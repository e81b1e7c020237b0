"""JSON Web Tokens: the only module that imports joserfc.

Implements: RFC 7515 (JWS compact serialization), RFC 7519 (JWT), RFC 7517 (JWK).
Claim checks (issuer, audience, times) are the caller's; here: keys and signatures.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey
from joserfc.jwk import RSAKey
from joserfc.jwk import import_key

VerifyingKey = RSAKey | ECKey
SUPPORTED_ALGORITHMS = ("RS256", "PS256", "ES256")


class JwtError(Exception):
    """The token is malformed, or its signature does not verify."""


def _key_type(alg_or_kty: str) -> str:
    return "EC" if alg_or_kty in ("ES256", "EC") else "RSA"


def import_private_key(pem: bytes, alg: str) -> VerifyingKey:
    key = import_key(pem, _key_type(alg))  # type: ignore[call-overload]
    if not isinstance(key, RSAKey | ECKey):
        raise JwtError("unsupported key type")
    return key


def import_public_jwk(jwk: dict[str, Any]) -> VerifyingKey:
    try:
        key = import_key(jwk, _key_type(str(jwk.get("kty"))))  # type: ignore[call-overload]
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise JwtError("invalid JWK") from exc
    if not isinstance(key, RSAKey | ECKey):
        raise JwtError("unsupported key type")
    return key


def keys_from_certificate(pem: str) -> list[VerifyingKey]:
    """The public key of a PEM certificate (or a bare PEM public key)."""
    data = pem.encode()
    if b"-----BEGIN" not in data:  # Base64 of the PEM text (as Asgardeo's Console sends it)
        try:
            data = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise JwtError("invalid certificate") from exc
    try:
        if b"CERTIFICATE" in data:
            public = x509.load_pem_x509_certificate(data).public_key()
        else:
            public = serialization.load_pem_public_key(data)  # type: ignore[assignment]
        raw = public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        kty = "RSA" if isinstance(public, rsa.RSAPublicKey) else "EC"
        key = import_key(raw, kty)  # type: ignore[call-overload]
    except (ValueError, TypeError, JoseError) as exc:
        raise JwtError("invalid certificate") from exc
    if not isinstance(key, RSAKey | ECKey):
        raise JwtError("unsupported key type")
    return [key]


def keys_from_jwks(document: dict[str, Any]) -> list[VerifyingKey]:
    keys = document.get("keys")
    if not isinstance(keys, list):
        raise JwtError("not a JWK set")
    found: list[VerifyingKey] = []
    for jwk in keys:
        if isinstance(jwk, dict) and jwk.get("use", "sig") == "sig":
            try:
                found.append(import_public_jwk(jwk))
            except JwtError:
                continue  # RFC 7517 §5: ignore keys we cannot use
    return found


def sign(claims: dict[str, Any], key: VerifyingKey, *, alg: str, kid: str, typ: str) -> str:
    header = {"alg": alg, "typ": typ, "kid": kid}
    return jwt.encode(header, claims, key, algorithms=[alg])


def _b64json(segment: str) -> dict[str, Any]:
    padded = segment + "=" * (-len(segment) % 4)
    value = json.loads(base64.urlsafe_b64decode(padded))
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value


def peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims WITHOUT verification (to pick the client or key first)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise JwtError("not a compact JWS")
    try:
        return _b64json(parts[0]), _b64json(parts[1])
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise JwtError("malformed JWT") from exc


def _pick(header: dict[str, Any], keys: Sequence[VerifyingKey]) -> VerifyingKey:
    kid = header.get("kid")
    if kid is not None:
        for key in keys:
            if key.kid == kid:
                return key
        raise JwtError("unknown key id")
    if len(keys) == 1:
        return keys[0]
    raise JwtError("the token names no key id")


def verify(
    token: str, keys: Sequence[VerifyingKey], algorithms: Collection[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify the signature with the key the header names; returns (header, claims)."""
    header, _ = peek(token)
    alg = header.get("alg")
    if alg not in algorithms or alg not in SUPPORTED_ALGORITHMS:
        raise JwtError("algorithm not allowed")  # RFC 8725 §3.1: never trust `alg` blindly
    key = _pick(header, keys)
    try:
        decoded = jwt.decode(token, key, algorithms=[alg])
    except (JoseError, ValueError) as exc:
        raise JwtError("signature verification failed") from exc
    return dict(decoded.header), dict(decoded.claims)
