"""The password grant (RFC 6749 §4.3) and role-bounded user token scopes, over HTTP."""

from __future__ import annotations

from typing import Any

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.roles.conftest import Admin
from tests.roles.conftest import granted
from tests.roles.conftest import password_token

API = "https://bookings.example"
BOTH = "bookings:read bookings:write"


async def _setup(admin: Admin, audience: str = "APPLICATION") -> dict[str, Any]:
    api = await admin.api(API, "bookings:read", "bookings:write")
    return await admin.app("bookings", api, ["bookings:read", "bookings:write"], audience)


def _oauth_error(response: Any, status: int, error: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert response.headers["cache-control"] == "no-store"
    return body


async def test_bad_credentials_are_one_generic_invalid_grant(admin: Admin) -> None:
    app = await _setup(admin)
    await admin.user("erin")
    wrong = await password_token(admin.http, app, "erin", BOTH, password="Wrong-Passw0rd")
    unknown = await password_token(admin.http, app, "nobody", BOTH)
    first = _oauth_error(wrong, 400, "invalid_grant")
    second = _oauth_error(unknown, 400, "invalid_grant")
    assert first["error_description"] == second["error_description"]
    assert "erin" not in wrong.text and "nobody" not in unknown.text


async def test_disabled_user_and_missing_parameters(admin: Admin) -> None:
    app = await _setup(admin)
    user = await admin.user("frank")
    assert set() == await granted(admin.http, app, "frank", "")
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    disabled = await admin.call("PATCH", f"/t/default/scim2/Users/{user}", json=patch)
    assert disabled.status_code == 200, disabled.text
    _oauth_error(await password_token(admin.http, app, "frank", ""), 400, "invalid_grant")
    missing = await admin.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "password", "username": "frank"},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    _oauth_error(missing, 400, "invalid_request")


async def test_grant_must_be_listed_and_client_authenticated(admin: Admin) -> None:
    await admin.user("gina")
    boot = {"clientId": BOOT_CLIENT_ID, "clientSecret": BOOT_CLIENT_SECRET}
    refused = await password_token(admin.http, boot, "gina", "internal_login")
    _oauth_error(refused, 400, "unauthorized_client")
    app = await _setup(admin)
    bad_secret = {**app, "clientSecret": "wrong-secret-0123456789"}
    _oauth_error(await password_token(admin.http, bad_secret, "gina", ""), 401, "invalid_client")


async def test_roles_bound_api_scopes_but_not_oidc_scopes(admin: Admin) -> None:
    app = await _setup(admin)
    user = await admin.user("hank")
    audience = {"value": app["id"], "type": "application"}
    await admin.role("reader", audience=audience, permissions=["bookings:read"], users=[user])
    scopes = await granted(admin.http, app, "hank", f"openid profile email {BOTH} unknown")
    assert scopes == {"openid", "profile", "email", "bookings:read"}


async def test_organization_audience_counts_listed_roles_only(admin: Admin) -> None:
    app = await _setup(admin, audience="ORGANIZATION")
    user = await admin.user("ivy")
    role = await admin.role("org-reader", permissions=["bookings:read"], users=[user])
    assert await granted(admin.http, app, "ivy", BOTH) == set()
    patch = {"associatedRoles": {"allowedAudience": "ORGANIZATION", "roles": [{"id": role["id"]}]}}
    url = f"/t/default/api/server/v1/applications/{app['id']}"
    listed = await admin.call("PATCH", url, json=patch)
    assert listed.status_code == 200, listed.text
    assert await granted(admin.http, app, "ivy", BOTH) == {"bookings:read"}


async def test_everyone_role_gives_self_service(admin: Admin) -> None:
    """Every user holds `everyone` (internal_login, internal_user_password_update)."""
    everyone = await admin.call("GET", admin.roles, params={"filter": 'displayName eq "everyone"'})
    values = {p["value"] for p in everyone.json()["Resources"][0]["permissions"]}
    assert values == {"internal_login", "internal_user_password_update"}
    app = await _setup(admin)
    await admin.user("jack")
    login = await admin.call(
        "GET",
        "/t/default/api/server/v1/api-resources",
        params={"filter": "identifier eq /scim2/Me"},
    )
    me_api = login.json()["APIResources"][0]["id"]
    url = f"/t/default/api/server/v1/applications/{app['id']}/authorized-apis"
    body = {"id": me_api, "policyIdentifier": "RBAC", "scopes": ["internal_login"]}
    assert (await admin.call("POST", url, json=body)).status_code == 201
    token = await password_token(admin.http, app, "jack", "internal_login bookings:read")
    assert token.json()["scope"] == "internal_login"
    me = await admin.http.get("/t/default/scim2/Me", headers=bearer(token.json()["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json()["userName"] == "jack"


async def test_client_credentials_stays_bounded_by_authorization_only(admin: Admin) -> None:
    app = await _setup(admin)
    url = f"/t/default/api/server/v1/applications/{app['id']}/inbound-protocols/oidc"
    config = (await admin.call("GET", url)).json()
    config["grantTypes"] = ["password", "client_credentials"]
    assert (await admin.call("PUT", url, json=config)).status_code == 200
    response = await admin.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": BOTH},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) == {"bookings:read", "bookings:write"}
