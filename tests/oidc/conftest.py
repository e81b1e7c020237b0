"""OIDC fixtures: an admin (tests/roles), apps with the password grant, users with a
profile, and ID-token validation against the published JWKS with joserfc."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import PASSWORD
from tests.roles.conftest import Admin
from tests.roles.conftest import password_token

__all__ = ["PASSWORD", "Admin", "password_token"]
APPS = "/t/default/api/server/v1/applications"
ISSUER = "http://testserver/t/default/oauth2/token"
LOCAL = "http://wso2.org/claims/"
PROFILE: dict[str, Any] = {
    "name": {"givenName": "Ada", "familyName": "Lovelace", "middleName": "King"},
    "displayName": "ada.l",
    "nickName": "countess",
    "emails": [{"value": "other@example.com"}, {"value": "ada@example.com", "primary": True}],
    "phoneNumbers": [{"value": "+44 20 7946 0000", "type": "mobile"}],
    "addresses": [{"streetAddress": "12 St James's Sq", "locality": "London", "country": "GB"}],
    "locale": "en-GB",
}


async def oidc_app(
    admin: Admin, name: str, claims: list[str] | None = None, **id_token: Any
) -> dict[str, Any]:
    """A confidential app with the password grant; `claims`: requested claim URIs."""
    body: dict[str, Any] = {
        "name": name,
        "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
    }
    if claims is not None:
        requested = [{"claim": {"uri": uri}, "mandatory": False} for uri in claims]
        body["claimConfiguration"] = {"dialect": "LOCAL", "requestedClaims": requested}
    response = await admin.call("POST", APPS, json=body)
    assert response.status_code == 201, response.text
    created = dict(response.json())
    if id_token:
        await update_oidc(admin, created, idToken=id_token)
    return created


async def update_oidc(admin: Admin, app: dict[str, Any], **changes: Any) -> None:
    """PUT the app's OIDC inbound configuration with `changes` (dicts are merged)."""
    url = f"{APPS}/{app['id']}/inbound-protocols/oidc"
    config = (await admin.call("GET", url)).json()
    for key, value in changes.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) else value
    updated = await admin.call("PUT", url, json=config)
    assert updated.status_code == 200, updated.text


async def profile_user(admin: Admin, name: str, **extra: Any) -> str:
    body = {"userName": name, "password": PASSWORD, **PROFILE, **extra}
    response = await admin.call("POST", "/t/default/scim2/Users", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def tokens(admin: Admin, app: dict[str, Any], user: str, scope: str) -> dict[str, Any]:
    response = await password_token(admin.http, app, user, scope)
    assert response.status_code == 200, response.text
    return dict(response.json())


def left_half_hash(value: str) -> str:
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


async def validate_id_token(
    http: httpx.AsyncClient, token: str, client_id: str, alg: str = "RS256"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """OIDC Core §3.1.3.7 as a client does it: JWKS signature by kid, iss, aud, azp."""
    jwks = (await http.get("/t/default/oauth2/jwks")).json()
    kids = {key["kid"] for key in jwks["keys"]}
    decoded = jwt.decode(token, KeySet.import_key_set(jwks), algorithms=[alg])
    header, claims = dict(decoded.header), dict(decoded.claims)
    assert header["alg"] == alg and header["kid"] in kids
    assert claims["iss"] == ISSUER
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    assert client_id in audience and claims["azp"] == client_id
    assert claims["iat"] <= claims["exp"] and claims["auth_time"] <= claims["exp"]
    return header, claims


@pytest.fixture
async def env(make_app: AppFactory) -> tuple[FastAPI, Admin]:
    """The real app and an administrator of its `default` organization."""
    app, http = await make_app()
    return app, Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))


@pytest.fixture
def admin(env: tuple[FastAPI, Admin]) -> Admin:
    return env[1]
