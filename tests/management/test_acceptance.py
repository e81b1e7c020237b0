"""Issue "done when": the Asgardeo API-authorization flow over HTTP, as a new user
would do it with curl and the bootstrap token."""

from __future__ import annotations

import base64
import json

from tests.management.conftest import APPS
from tests.management.conftest import Admin
from tests.management.conftest import client_token


async def test_m2m_app_api_authorization_flow(admin: Admin) -> None:
    # 1. An M2M application; its client id and secret come back once.
    created = await admin.post(
        APPS, json={"name": "bookings-worker", "templateId": "m2m-application"}
    )
    assert created.status_code == 201, created.text
    assert created.headers["Location"].endswith(f"{APPS}/{created.json()['id']}")
    app_id, client_id, secret = (created.json()[k] for k in ("id", "clientId", "clientSecret"))
    assert client_id and secret and len(secret) >= 43

    # 2. An API resource with two scopes.
    api = await admin.create_api("bookings", "bookings:read", "bookings:write")
    assert [s["name"] for s in api["scopes"]] == ["bookings:read", "bookings:write"]

    # A new application is authorized for nothing.
    token = await client_token(admin.http, client_id, secret, "bookings:read bookings:write")
    assert token.status_code == 200, token.text
    assert "scope" not in token.json()

    # 3. Authorize bookings:read only.
    authorized = await admin.post(
        f"{APPS}/{app_id}/authorized-apis",
        json={"id": api["id"], "policyIdentifier": "RBAC", "scopes": ["bookings:read"]},
    )
    assert authorized.status_code == 201, authorized.text

    # 4. The token holds exactly the authorized scope when both are requested.
    token = await client_token(admin.http, client_id, secret, "bookings:read bookings:write")
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "bookings:read"
    assert token.json()["token_type"] == "Bearer"

    # 5. Remove the authorization: the next token has no such scope.
    removed = await admin.delete(f"{APPS}/{app_id}/authorized-apis/{api['id']}")
    assert removed.status_code == 204, removed.text
    token = await client_token(admin.http, client_id, secret, "bookings:read bookings:write")
    assert token.status_code == 200, token.text
    assert "scope" not in token.json()
    listed = await admin.get(f"{APPS}/{app_id}/authorized-apis")
    assert listed.json() == []


async def test_switch_to_jwt_with_600s_lifetime(admin: Admin) -> None:
    """The JWT/lifetime half of "done when": GET-modify-PUT of the OIDC inbound."""
    created = await admin.create_app(name="bookings-jwt", templateId="m2m-application")
    app_id, client_id, secret = created["id"], created["clientId"], created["clientSecret"]
    api = await admin.create_api("bookings", "bookings:read", "bookings:write")
    await admin.post(
        f"{APPS}/{app_id}/authorized-apis",
        json={"id": api["id"], "policyIdentifier": "RBAC", "scopes": ["bookings:read"]},
    )
    url = f"{APPS}/{app_id}/inbound-protocols/oidc"
    config = (await admin.get(url)).json()
    assert config["accessToken"]["type"] == "Default"
    config["accessToken"]["type"] = "JWT"
    config["accessToken"]["applicationAccessTokenExpiryInSeconds"] = 600
    put = await admin.put(url, json=config)
    assert put.status_code == 200, put.text
    assert "clientSecret" not in put.json()

    token = await client_token(admin.http, client_id, secret, "bookings:read bookings:write")
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["expires_in"] == 600
    assert body["scope"] == "bookings:read"
    assert body["access_token"].count(".") == 2, "a JWT access token (RFC 9068)"


async def test_jwt_signing_algorithm_round_trips_through_put(admin: Admin) -> None:
    """Runegate's accessToken.signingAlgorithm survives GET-modify-PUT and signs tokens."""
    created = await admin.create_app(name="es256-app", templateId="m2m-application")
    url = f"{APPS}/{created['id']}/inbound-protocols/oidc"
    config = (await admin.get(url)).json()
    config["accessToken"].update({"type": "JWT", "signingAlgorithm": "ES256"})
    assert (await admin.put(url, json=config)).status_code == 200
    again = (await admin.get(url)).json()
    assert again["accessToken"]["signingAlgorithm"] == "ES256"
    assert (await admin.put(url, json=again)).status_code == 200
    token = await client_token(admin.http, created["clientId"], created["clientSecret"], "")
    header = token.json()["access_token"].split(".")[0]
    decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    assert decoded["alg"] == "ES256" and decoded["typ"] == "at+jwt"
    config["accessToken"]["signingAlgorithm"] = "HS256"
    refused = await admin.put(url, json=config)
    assert refused.status_code == 400
