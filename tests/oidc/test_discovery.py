"""Discovery (RFC 8414, OIDC Discovery) advertises exactly what is implemented."""

from __future__ import annotations

import httpx

BASE = "http://testserver/t/default"
URL = "/t/default/oauth2/token/.well-known/openid-configuration"


async def test_discovery_document(client: httpx.AsyncClient) -> None:
    response = await client.get(URL)
    assert response.status_code == 200
    assert "max-age" in response.headers["cache-control"]
    doc = response.json()
    assert doc["issuer"] == f"{BASE}/oauth2/token"
    assert URL.endswith("/.well-known/openid-configuration")
    assert doc["token_endpoint"] == f"{BASE}/oauth2/token"
    assert doc["jwks_uri"] == f"{BASE}/oauth2/jwks"
    assert doc["introspection_endpoint"] == f"{BASE}/oauth2/introspect"
    assert doc["revocation_endpoint"] == f"{BASE}/oauth2/revoke"
    assert doc["grant_types_supported"] == [
        "authorization_code",
        "client_credentials",
        "organization_switch",
        "password",
        "refresh_token",
    ]
    assert doc["authorization_endpoint"] == f"{BASE}/oauth2/authorize"
    assert doc["response_types_supported"] == ["code"]
    assert doc["response_modes_supported"] == ["query", "form_post"]
    assert doc["code_challenge_methods_supported"] == ["S256", "plain"]
    assert "private_key_jwt" in doc["token_endpoint_auth_methods_supported"]
    assert set(doc["token_endpoint_auth_signing_alg_values_supported"]) == {
        "RS256",
        "PS256",
        "ES256",
    }
    # Not implemented yet, so not advertised.
    for absent in ("frontchannel_logout_supported", "registration_endpoint"):
        assert absent not in doc
    assert doc["end_session_endpoint"] == f"{BASE}/oidc/logout"


async def test_every_advertised_endpoint_exists(client: httpx.AsyncClient) -> None:
    doc = (await client.get(URL)).json()
    jwks = await client.get(doc["jwks_uri"].removeprefix("http://testserver"))
    assert jwks.status_code == 200 and jwks.json()["keys"]
    for name in ("token_endpoint", "introspection_endpoint", "revocation_endpoint"):
        path = doc[name].removeprefix("http://testserver")
        response = await client.post(path, data={})
        assert response.status_code in (400, 401), (name, response.status_code)
        assert "error" in response.json()


async def test_discovery_of_unknown_org_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/t/nosuchorg/oauth2/token/.well-known/openid-configuration")
    assert response.status_code == 404


async def test_discovery_advertises_openid_connect(client: httpx.AsyncClient) -> None:
    doc = (await client.get(URL)).json()
    assert doc["userinfo_endpoint"] == f"{BASE}/oauth2/userinfo"
    assert doc["scopes_supported"] == ["openid", "profile", "email", "phone", "address"]
    assert doc["subject_types_supported"] == ["public"]
    assert set(doc["id_token_signing_alg_values_supported"]) == {"RS256", "PS256", "ES256"}
    claims = set(doc["claims_supported"])
    assert {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "sid"} <= claims
    assert {"email", "given_name", "family_name", "phone_number", "address"} <= claims
    userinfo = await client.get(doc["userinfo_endpoint"].removeprefix("http://testserver"))
    assert userinfo.status_code == 401
