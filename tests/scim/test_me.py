"""/Me (RFC 7644 §3.11) with a user token, and token revocation on admin changes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from runegate.oauth.tokens import mint_user_token
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.scim.conftest import BASE
from tests.scim.conftest import SCIM_SCOPES
from tests.scim.conftest import USER
from tests.scim.conftest import Scim
from tests.scim.conftest import assert_scim_error


async def user_token(app: FastAPI, user_id: str, scopes: list[str] | None = None) -> str:
    state = app.state.runegate
    tenant = await state.find_tenant("default")
    return await mint_user_token(
        state,
        tenant,
        client_id=BOOT_CLIENT_ID,
        user_id=user_id,
        scopes=scopes or ["internal_login"],
    )


@pytest.fixture
async def setup(make_app: AppFactory) -> tuple[FastAPI, Scim, dict[str, Any]]:
    app, http = await make_app()
    scim = Scim(http, bearer(await get_token(http, SCIM_SCOPES)))
    user = await scim.user("self", displayName="Self", nickName="me")
    return app, scim, user


async def test_me_get_put_patch(setup: tuple[FastAPI, Scim, dict[str, Any]]) -> None:
    app, scim, user = setup
    me = Scim(scim.http, bearer(await user_token(app, user["id"])))
    got = await me.get("/Me")
    assert got.status_code == 200, got.text
    assert got.json()["id"] == user["id"] and got.headers["etag"] == 'W/"1"'
    patched = await me.patch("/Me", [{"op": "replace", "path": "nickName", "value": "myself"}])
    assert patched.status_code == 200, patched.text
    assert patched.json()["nickName"] == "myself"
    body = {"schemas": [USER], "userName": "self", "displayName": "Changed", "active": True}
    put = await me.request("PUT", "/Me", json=body)
    assert put.status_code == 200, put.text
    assert put.json()["displayName"] == "Changed"
    # Changing its own password does not end the session making the change.
    password = await me.patch(
        "/Me", [{"op": "replace", "path": "password", "value": "New-Passw0rd!"}]
    )
    assert password.status_code == 200, password.text
    assert (await me.get("/Me")).status_code == 200


@pytest.mark.parametrize(
    ("path", "value"),
    [("active", False), ("userName", "someoneelse"), ("roles", [{"value": "admin"}])],
)
async def test_me_cannot_change_privileged_attributes(
    setup: tuple[FastAPI, Scim, dict[str, Any]], path: str, value: object
) -> None:
    app, scim, user = setup
    me = Scim(scim.http, bearer(await user_token(app, user["id"])))
    response = await me.patch("/Me", [{"op": "replace", "path": path, "value": value}])
    assert_scim_error(response, 400, "mutability")
    after = (await scim.get(f"/Users/{user['id']}")).json()
    assert after["userName"] == "self" and after["active"] is True
    assert [r["display"] for r in after["roles"]] == ["everyone"]  # held by every user


async def test_me_needs_a_user_token_with_internal_login(
    setup: tuple[FastAPI, Scim, dict[str, Any]],
) -> None:
    app, scim, user = setup
    app_token = await get_token(scim.http, "internal_login")
    assert_scim_error(await scim.http.get(f"{BASE}/Me", headers=bearer(app_token)), 403, None)
    no_scope = await user_token(app, user["id"], ["internal_user_mgt_view"])
    assert_scim_error(await scim.http.get(f"{BASE}/Me", headers=bearer(no_scope)), 403, None)
    assert_scim_error(await scim.http.get(f"{BASE}/Me"), 401, None)


@pytest.mark.parametrize(
    "change",
    [
        [{"op": "replace", "path": "active", "value": False}],
        [{"op": "replace", "path": "password", "value": "Admin-Set-Passw0rd"}],
        None,  # delete
    ],
    ids=["disable", "admin-password", "delete"],
)
async def test_admin_changes_revoke_user_tokens(
    setup: tuple[FastAPI, Scim, dict[str, Any]], change: list[dict[str, Any]] | None
) -> None:
    app, scim, user = setup
    token = await user_token(app, user["id"])
    assert (await scim.http.get(f"{BASE}/Me", headers=bearer(token))).status_code == 200
    if change is None:
        assert (await scim.request("DELETE", f"/Users/{user['id']}")).status_code == 204
    else:
        assert (await scim.patch(f"/Users/{user['id']}", change)).status_code == 200
    revoked = await scim.http.get(f"{BASE}/Me", headers=bearer(token))
    assert_scim_error(revoked, 401, None)


async def test_profile_edit_keeps_tokens(setup: tuple[FastAPI, Scim, dict[str, Any]]) -> None:
    app, scim, user = setup
    token = await user_token(app, user["id"])
    change = [{"op": "replace", "path": "displayName", "value": "Renamed"}]
    assert (await scim.patch(f"/Users/{user['id']}", change)).status_code == 200
    assert (await scim.http.get(f"{BASE}/Me", headers=bearer(token))).status_code == 200
