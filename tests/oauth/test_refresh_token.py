"""The refresh token grant (RFC 6749 §6): rotation, reuse detection, narrowing scopes,
client binding, ID tokens on refresh, revocation (RFC 7009) and introspection (RFC 7662)
of refresh tokens, over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.oidc.conftest import update_oidc
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.roles.conftest import password_token

APPS = "/t/default/api/server/v1/applications"
TOKEN = "/t/default/oauth2/token"
BOOT = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)


@pytest.fixture
async def admin(make_app: AppFactory) -> Admin:
    _app, http = await make_app()
    scopes = f"{ADMIN_SCOPES} internal_application_mgt_delete internal_user_mgt_delete"
    return Admin(http, bearer(await get_token(http, scopes)))


async def refresh_app(
    admin: Admin, name: str, grants: tuple[str, ...] = ("password", "refresh_token"), **rt: Any
) -> dict[str, Any]:
    """A confidential app with the given grants; `rt` overrides refreshToken settings."""
    body = {"name": name, "inboundProtocolConfiguration": {"oidc": {"grantTypes": list(grants)}}}
    created = await admin.new_app(body)
    if rt:
        await update_oidc(admin, created, refreshToken=rt)
    return created


async def login(admin: Admin, app: dict[str, Any], user: str, scope: str) -> dict[str, Any]:
    response = await password_token(admin.http, app, user, scope)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def refresh(
    http: httpx.AsyncClient, app: dict[str, Any], token: str, scope: str | None = None
) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": token}
    if scope is not None:
        data["scope"] = scope
    headers = basic_auth(app["clientId"], app["clientSecret"])
    return await http.post(TOKEN, data=data, headers=headers)


async def introspect(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.post("/t/default/oauth2/introspect", data={"token": token}, headers=BOOT)
    assert response.status_code == 200, response.text
    return dict(response.json())


def claims(id_token: str) -> dict[str, Any]:
    payload = id_token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def refused(response: httpx.Response, error: str = "invalid_grant", status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.headers["cache-control"] == "no-store"


async def test_rotation_and_reuse_revokes_the_family(admin: Admin) -> None:
    app = await refresh_app(admin, "rotating")
    await admin.user("rita")
    first = await login(admin, app, "rita", "openid profile")
    shown = await introspect(admin.http, first["refresh_token"])
    assert shown["active"] is True and shown["token_type"] == "Refresh"
    assert shown["client_id"] == app["clientId"] and "aut" not in shown
    assert shown["exp"] - shown["iat"] == 86400  # refreshToken.expiryInSeconds default
    second = await refresh(admin.http, app, first["refresh_token"])
    assert second.status_code == 200, second.text
    renewed = second.json()
    assert renewed["refresh_token"] != first["refresh_token"]
    assert set(renewed["scope"].split()) == {"openid", "profile"}
    # OIDC Core §12.2: a new ID token, same subject, the original authentication time.
    before, after = claims(first["id_token"]), claims(renewed["id_token"])
    assert after["sub"] == before["sub"] and after["auth_time"] == before["auth_time"]
    assert (await introspect(admin.http, first["refresh_token"])) == {"active": False}
    # RFC 6749 §10.4: the rotated token comes back -> the whole grant ends.
    refused(await refresh(admin.http, app, first["refresh_token"]))
    for token in (renewed["refresh_token"], renewed["access_token"], first["access_token"]):
        assert (await introspect(admin.http, token)) == {"active": False}
    refused(await refresh(admin.http, app, renewed["refresh_token"]))


async def test_scopes_only_narrow_and_a_refused_scope_does_not_consume(admin: Admin) -> None:
    app = await refresh_app(admin, "narrow")
    await admin.user("nora")
    first = await login(admin, app, "nora", "openid profile email")
    wider = await refresh(admin.http, app, first["refresh_token"], "openid phone")
    refused(wider, "invalid_scope")
    narrowed = await refresh(admin.http, app, first["refresh_token"], "profile")
    assert narrowed.status_code == 200, narrowed.text
    body = narrowed.json()
    assert body["scope"] == "profile" and "id_token" not in body
    # The successor keeps the original grant's scopes (RFC 6749 §6).
    again = await refresh(admin.http, app, body["refresh_token"])
    assert set(again.json()["scope"].split()) == {"openid", "profile", "email"}


async def test_foreign_client_unknown_and_malformed_requests(admin: Admin) -> None:
    app = await refresh_app(admin, "mine")
    other = await refresh_app(admin, "other")
    await admin.user("fred")
    token = (await login(admin, app, "fred", "openid"))["refresh_token"]
    refused(await refresh(admin.http, other, token))  # RFC 6749 §6: client binding
    refused(await refresh(admin.http, app, "not-a-refresh-token"))
    access = (await login(admin, app, "fred", "openid"))["access_token"]
    refused(await refresh(admin.http, app, access))  # an access token is not one
    missing = await admin.http.post(
        TOKEN,
        data={"grant_type": "refresh_token"},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    refused(missing, "invalid_request")
    ok = await refresh(admin.http, app, token)  # the foreign attempt revoked nothing
    assert ok.status_code == 200, ok.text
    plain = await refresh_app(admin, "no-refresh", grants=("password",))
    assert "refresh_token" not in await login(admin, plain, "fred", "openid")
    refused(await refresh(admin.http, plain, token), "unauthorized_client")


async def test_without_renewal_the_same_token_is_returned(admin: Admin) -> None:
    app = await refresh_app(admin, "steady", renewRefreshToken=False, expiryInSeconds=120)
    await admin.user("sam")
    first = await login(admin, app, "sam", "openid")
    shown = await introspect(admin.http, first["refresh_token"])
    assert shown["exp"] - shown["iat"] == 120
    for _ in range(2):
        again = await refresh(admin.http, app, first["refresh_token"])
        assert again.status_code == 200, again.text
        assert again.json()["refresh_token"] == first["refresh_token"]


async def test_disabled_user_and_regenerated_secret_end_refresh(admin: Admin) -> None:
    app = await refresh_app(admin, "revocable")
    user = await admin.user("dora")
    await admin.user("dan")
    dora = (await login(admin, app, "dora", "openid"))["refresh_token"]
    dan = (await login(admin, app, "dan", "openid"))["refresh_token"]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    disabled = await admin.call("PATCH", f"/t/default/scim2/Users/{user}", json=patch)
    assert disabled.status_code == 200, disabled.text
    refused(await refresh(admin.http, app, dora))
    url = f"{APPS}/{app['id']}/inbound-protocols/oidc/regenerate-secret"
    regenerated = await admin.call("POST", url)
    assert regenerated.status_code == 200, regenerated.text
    renewed = {**app, "clientSecret": regenerated.json()["clientSecret"]}
    refused(await refresh(admin.http, renewed, dan))


async def test_revocation_of_a_refresh_token_ends_its_grant(admin: Admin) -> None:
    app = await refresh_app(admin, "revoke")
    await admin.user("ron")
    tokens = await login(admin, app, "ron", "openid")
    other = await login(admin, app, "ron", "openid")
    response = await admin.http.post(
        "/t/default/oauth2/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    assert (await introspect(admin.http, tokens["access_token"])) == {"active": False}
    refused(await refresh(admin.http, app, tokens["refresh_token"]))
    # Another grant of the same user and client is untouched.
    assert (await introspect(admin.http, other["refresh_token"]))["active"] is True
    deleted = await admin.call("DELETE", f"{APPS}/{app['id']}")
    assert deleted.status_code == 204, deleted.text
    assert (await introspect(admin.http, other["refresh_token"])) == {"active": False}


async def test_password_change_and_user_deletion_end_refresh(admin: Admin) -> None:
    app = await refresh_app(admin, "follows-user")
    pat = await admin.user("pat")
    quinn = await admin.user("quinn")
    pats = (await login(admin, app, "pat", "openid"))["refresh_token"]
    quinns = (await login(admin, app, "quinn", "openid"))["refresh_token"]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "password", "value": "New-Passw0rd-9"}],
    }
    changed = await admin.call("PATCH", f"/t/default/scim2/Users/{pat}", json=patch)
    assert changed.status_code == 200, changed.text
    refused(await refresh(admin.http, app, pats))
    deleted = await admin.call("DELETE", f"/t/default/scim2/Users/{quinn}")
    assert deleted.status_code == 204, deleted.text
    refused(await refresh(admin.http, app, quinns))
