"""private_key_jwt client authentication (RFC 7523 §2.2, §3) with a PEM certificate
and with a JWKS URL served by a real local HTTP server."""

from __future__ import annotations

import datetime
import http.server
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey

from tests.conftest import basic_auth
from tests.oauth.conftest import make_client

ISSUER = "http://testserver/t/default/oauth2/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def certificate_pem(private: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "client")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(7)
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def assertion(key: RSAKey, client_id: str, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": ISSUER,
        "exp": now + 120,
        "iat": now,
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    header = {"alg": "RS256", "kid": key.kid} if key.kid else {"alg": "RS256"}
    return jose_jwt.encode(header, claims, key)


def form(signed: str) -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
    }


@pytest.fixture
def rsa_private() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


async def test_pem_certificate_assertion(make_app, rsa_private: rsa.RSAPrivateKey) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    client = await make_client(
        app,
        "pkjwt",
        client_auth={"tokenEndpointAuthMethod": "private_key_jwt"},
        certificate={"type": "PEM", "value": certificate_pem(rsa_private)},
    )
    key = RSAKey.import_key(rsa_private)
    signed = assertion(key, client.client_id)
    ok = await http.post("/t/default/oauth2/token", data=form(signed))
    assert ok.status_code == 200, ok.text
    replay = await http.post("/t/default/oauth2/token", data=form(signed))
    assert replay.status_code == 401 and replay.json()["error"] == "invalid_client"
    cases = [
        {"aud": "https://elsewhere/token"},
        {"exp": int(time.time()) - 300},
        {"exp": int(time.time()) + 86400},
        {"iss": "someone-else"},
        {"jti": ""},
        {"nbf": int(time.time()) + 600},
    ]
    for overrides in cases:
        bad = await http.post(
            "/t/default/oauth2/token", data=form(assertion(key, client.client_id, **overrides))
        )
        assert bad.status_code == 401, overrides
        assert bad.json()["error"] == "invalid_client"
    other_key = RSAKey.generate_key(2048)
    forged = await http.post(
        "/t/default/oauth2/token", data=form(assertion(other_key, client.client_id))
    )
    assert forged.status_code == 401
    secret = await http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(client.client_id, client.secret),
    )
    assert secret.status_code == 401  # this application requires signed assertions


async def test_reuse_allowed_when_configured(make_app, rsa_private: rsa.RSAPrivateKey) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    client = await make_client(
        app,
        "pkreuse",
        client_auth={
            "tokenEndpointAuthMethod": "private_key_jwt",
            "tokenEndpointAllowReusePvtKeyJwt": True,
        },
        certificate={"type": "PEM", "value": certificate_pem(rsa_private)},
    )
    signed = assertion(RSAKey.import_key(rsa_private), client.client_id)
    for _ in range(2):
        response = await http.post("/t/default/oauth2/token", data=form(signed))
        assert response.status_code == 200, response.text


class _JwksHandler(http.server.BaseHTTPRequestHandler):
    document: bytes = b"{}"
    hits = 0
    port = 0  # chosen by the OS: tests run in parallel workers

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.document)))
        self.end_headers()
        self.wfile.write(self.document)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_server() -> Iterator[type[_JwksHandler]]:
    handler = type("Handler", (_JwksHandler,), {"hits": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()


async def test_jwks_url_is_fetched_once_and_cached(make_app, jwks_server) -> None:  # type: ignore[no-untyped-def]
    key = RSAKey.generate_key(2048, parameters={"kid": "client-key-1"})
    jwks_server.document = json.dumps({"keys": [key.as_dict(private=False)]}).encode()
    app, http = await make_app()
    url = f"http://127.0.0.1:{jwks_server.port}/jwks.json"
    client = await make_client(
        app,
        "pkjwks",
        client_auth={"tokenEndpointAuthMethod": "private_key_jwt"},
        certificate={"type": "JWKS", "value": url},
    )
    for _ in range(3):
        response = await http.post(
            "/t/default/oauth2/token", data=form(assertion(key, client.client_id))
        )
        assert response.status_code == 200, response.text
    assert jwks_server.hits == 1
    # A key the cached set does not know triggers one refetch (client key rotation).
    rotated = RSAKey.generate_key(2048, parameters={"kid": "client-key-2"})
    jwks_server.document = json.dumps({"keys": [rotated.as_dict(private=False)]}).encode()
    response = await http.post(
        "/t/default/oauth2/token", data=form(assertion(rotated, client.client_id))
    )
    assert response.status_code == 200, response.text
    assert jwks_server.hits == 2


async def test_oversized_jwks_is_refused(make_app, jwks_server) -> None:  # type: ignore[no-untyped-def]
    key = RSAKey.generate_key(2048, parameters={"kid": "k"})
    jwks_server.document = json.dumps(
        {"keys": [key.as_dict(private=False)], "pad": "x" * 70_000}
    ).encode()
    app, http = await make_app()
    client = await make_client(
        app,
        "pkbig",
        client_auth={"tokenEndpointAuthMethod": "private_key_jwt"},
        certificate={"type": "JWKS", "value": f"http://127.0.0.1:{jwks_server.port}/jwks.json"},
    )
    response = await http.post(
        "/t/default/oauth2/token", data=form(assertion(key, client.client_id))
    )
    assert response.status_code == 401


async def test_loopback_jwks_url_refused_outside_development(make_app, jwks_server) -> None:  # type: ignore[no-untyped-def]
    key = RSAKey.generate_key(2048, parameters={"kid": "k"})
    jwks_server.document = json.dumps({"keys": [key.as_dict(private=False)]}).encode()
    app, http = await make_app(env="production")
    for url in (
        f"https://127.0.0.1:{jwks_server.port}/jwks.json",
        f"http://127.0.0.1:{jwks_server.port}/j",
    ):
        client = await make_client(
            app,
            f"pkssrf{len(url)}",
            client_auth={"tokenEndpointAuthMethod": "private_key_jwt"},
            certificate={"type": "JWKS", "value": url},
        )
        response = await http.post(
            "/t/default/oauth2/token", data=form(assertion(key, client.client_id))
        )
        assert response.status_code == 401
    assert jwks_server.hits == 0
