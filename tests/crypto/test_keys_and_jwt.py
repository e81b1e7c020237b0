"""Signing key material and the JWT module (no database)."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from joserfc.jwk import RSAKey

from runegate.crypto import jwt
from runegate.crypto.keys import KeyDecryptionError
from runegate.crypto.keys import check_algorithm
from runegate.crypto.keys import decrypt_private_key
from runegate.crypto.keys import generate_private_key
from runegate.crypto.keys import new_signing_key
from runegate.crypto.keys import thumbprint


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_keys_sign_and_verify_and_are_encrypted(alg: str) -> None:
    key = new_signing_key(check_algorithm(alg), (b"first-secret",))
    assert b"PRIVATE KEY" not in key.encrypted_private_key.encode()
    assert key.kid.endswith(f"_{alg}")
    pem = decrypt_private_key(key.encrypted_private_key, (b"new-secret", b"first-secret"))
    token = jwt.sign({"x": 1}, jwt.import_private_key(pem, alg), alg=alg, kid=key.kid, typ="JWT")
    header, claims = jwt.verify(token, [jwt.import_public_jwk(key.public_jwk)], [alg])
    assert claims == {"x": 1} and header["kid"] == key.kid
    with pytest.raises(KeyDecryptionError):
        decrypt_private_key(key.encrypted_private_key, (b"other",))


def test_thumbprint_matches_joserfc() -> None:
    key = new_signing_key("RS256", (b"s",))
    assert key.kid == f"{RSAKey.import_key(key.public_jwk).thumbprint()}_RS256"
    assert thumbprint(key.public_jwk) == key.kid.removesuffix("_RS256")


def test_verify_refuses_other_algorithms_and_unknown_kids() -> None:
    key = new_signing_key("RS256", (b"s",))
    private = jwt.import_private_key(
        decrypt_private_key(key.encrypted_private_key, (b"s",)), "RS256"
    )
    token = jwt.sign({}, private, alg="RS256", kid=key.kid, typ="JWT")
    public = jwt.import_public_jwk(key.public_jwk)
    with pytest.raises(jwt.JwtError):
        jwt.verify(token, [public], ["ES256"])
    other = jwt.import_public_jwk(new_signing_key("RS256", (b"s",)).public_jwk)
    with pytest.raises(jwt.JwtError):
        jwt.verify(token, [other], ["RS256"])
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    with pytest.raises(jwt.JwtError):
        jwt.verify(f"{header}.e30.", [public], ["RS256"])
    with pytest.raises(jwt.JwtError):
        jwt.peek("garbage")


def test_keys_from_certificate_pem_and_base64() -> None:
    private = generate_private_key("RS256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())  # type: ignore[arg-type]
    )
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert len(jwt.keys_from_certificate(pem)) == 1
    assert len(jwt.keys_from_certificate(base64.b64encode(pem.encode()).decode())) == 1
    with pytest.raises(jwt.JwtError):
        jwt.keys_from_certificate("not a certificate")


def test_keys_from_jwks_skips_unusable_keys() -> None:
    good = new_signing_key("ES256", (b"s",)).public_jwk
    keys = jwt.keys_from_jwks({"keys": [good, {"kty": "oct", "k": "AA"}, {"kty": "bogus"}]})
    assert [k.kid for k in keys] == [good["kid"]]
    with pytest.raises(jwt.JwtError):
        jwt.keys_from_jwks({"nokeys": 1})
