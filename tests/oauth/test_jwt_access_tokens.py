"""RFC 9068 JWT access tokens: verified with a standard JOSE library against the JWKS."""

from __future__ import annotations

import time

import httpx
import pytest
from joserfc import jwt as jose_jwt
from joserfc.jwk import KeySet

from runegate.oauth.app_settings import set_access_token_settings
from tests.conftest import basic_auth
from tests.oauth.conftest import Client
from tests.oauth.conftest import make_client
from tests.oauth.conftest import make_resource
from tests.oauth.conftest import root_tenant
from tests.oauth.conftest import state_of

ISSUER = "http://testserver/t/default/oauth2/token"


async def token_for(http: httpx.AsyncClient, client: Client, scope: str = "") -> httpx.Response:
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return await http.post(
        "/t/default/oauth2/token", data=data, headers=basic_auth(client.client_id, client.secret)
    )


async def jwks(http: httpx.AsyncClient) -> KeySet:
    response = await http.get("/t/default/oauth2/jwks")
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    document = response.json()
    for key in document["keys"]:
        assert key["kid"] and key["alg"] and key["use"] == "sig"
        assert "d" not in key and "p" not in key
    return KeySet.import_key_set(document)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "PS256"])
async def test_jwt_access_token_claims_and_signature(make_app, alg: str) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    scopes = await make_resource(app, "https://api.example/orders", ["orders:read", "orders:write"])
    client = await make_client(
        app,
        f"jwt{alg.lower()}",
        scopes=scopes,
        access_token={
            "type": "JWT",
            "applicationAccessTokenExpiryInSeconds": 600,
            "signingAlgorithm": alg,
        },
    )
    response = await token_for(http, client, "orders:read unknown")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expires_in"] == 600
    assert body["scope"] == "orders:read"
    token = jose_jwt.decode(body["access_token"], await jwks(http), algorithms=[alg])
    assert token.header["typ"] == "at+jwt"
    assert token.header["alg"] == alg
    assert token.header["kid"].endswith(f"_{alg}")
    claims = token.claims
    assert claims["iss"] == ISSUER
    assert claims["sub"] == client.client_id
    assert claims["client_id"] == client.client_id == claims["azp"]
    assert claims["aud"] == [client.client_id, "https://api.example/orders"]
    assert claims["scope"] == "orders:read"
    assert claims["exp"] - claims["iat"] == 600
    assert claims["nbf"] == claims["iat"] <= time.time() + 1
    assert len(claims["jti"]) == 32


async def test_service_function_switches_token_type_and_lifetime(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    client = await make_client(app, "switcher")
    first = (await token_for(http, client)).json()
    assert first["access_token"].count(".") == 0
    assert first["expires_in"] == 3600
    tenant = await root_tenant(app)
    state = state_of(app)
    async with state.db.write() as session:
        settings = await set_access_token_settings(
            session,
            tenant,
            client_id=client.client_id,
            token_type="JWT",
            application_lifetime=120,
        )
    state.caches.invalidate()
    assert settings["type"] == "JWT"
    second = (await token_for(http, client)).json()
    assert second["access_token"].count(".") == 2
    assert second["expires_in"] == 120
    assert "scope" not in second
    claims = jose_jwt.decode(second["access_token"], await jwks(http)).claims
    assert claims["aud"] == client.client_id
    assert "scope" not in claims


async def test_jwt_verifies_on_protected_routes_and_introspects(make_app) -> None:  # type: ignore[no-untyped-def]
    app, http = await make_app()
    client = await make_client(app, "jwtuser", access_token={"type": "JWT"})
    raw = (await token_for(http, client)).json()["access_token"]
    tenant = await root_tenant(app)
    access = await state_of(app).token_verifier.verify(tenant, raw)
    assert access.client_id == client.client_id
    introspection = await http.post(
        "/t/default/oauth2/introspect",
        data={"token": raw},
        headers=basic_auth(client.client_id, client.secret),
    )
    assert introspection.json()["active"] is True
    tampered = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    bad = await http.post(
        "/t/default/oauth2/introspect",
        data={"token": tampered},
        headers=basic_auth(client.client_id, client.secret),
    )
    assert bad.json() == {"active": False}
