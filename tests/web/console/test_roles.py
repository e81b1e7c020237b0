"""Console Roles pages over real HTTP: create (organization and application audience),
the permissions picker (an application role offers only its application's authorized
scopes), assign and unassign users and groups, rename, delete; checked through Roles v2;
errors; isolation between organizations."""

from __future__ import annotations

import re
from typing import Any

from tests.web.console.conftest import ConsoleEnv
from tests.web.console.test_api_authorization import bookings_api
from tests.web.console.test_applications import create_app

ROLE = re.compile(r"/console/roles/([0-9a-f-]{36})")


async def roles_v2(env: ConsoleEnv, role_id: str) -> tuple[int, dict[str, Any]]:
    headers = await env.admin_token("internal_role_mgt_view")
    response = await env.http.get(f"/t/default/scim2/v2/Roles/{role_id}", headers=headers)
    return response.status_code, response.json() if response.status_code == 200 else {}


async def test_organization_role_permissions_users_and_groups(env: ConsoleEnv) -> None:
    await env.create_user("carol")
    browser = env.browser()
    await browser.sign_in()
    await browser.post("/t/default/console/groups", {"displayName": "Auditors"})
    api_id = await bookings_api(browser)
    created = await browser.post(
        "/t/default/console/roles", {"displayName": "Booking admin", "audience": "organization"}
    )
    assert created.status_code == 303, created.text
    role_id = ROLE.search(created.headers["location"]).group(1)
    base = f"/t/default/console/roles/{role_id}"
    page = await browser.http.get(base)
    assert 'value="bookings:read"' in page.text and 'value="internal_user_mgt_view"' in page.text
    for path, data in (
        ("/permissions", {"permissions": ["bookings:read", "bookings:write"]}),
        ("/users", {"userName": "carol"}),
        ("/groups", {"groupName": "Auditors"}),
        ("", {"displayName": "Bookings admin"}),
    ):
        response = await browser.post(f"{base}{path}", data)
        assert response.status_code == 303, (path, response.text)
    _, role = await roles_v2(env, role_id)
    assert role["displayName"] == "Bookings admin"
    assert sorted(p["value"] for p in role["permissions"]) == ["bookings:read", "bookings:write"]
    assert [u["display"] for u in role["users"]] == ["carol"]
    assert [g["display"] for g in role["groups"]] == ["Auditors"]
    page = await browser.http.get(base)
    assert 'value="bookings:read" checked' in page.text
    user_id = role["users"][0]["value"]
    assert (await browser.post(f"{base}/users/remove", {"id": user_id})).status_code == 303
    group_id = role["groups"][0]["value"]
    assert (await browser.post(f"{base}/groups/remove", {"id": group_id})).status_code == 303
    assert (await browser.post(f"{base}/permissions", {})).status_code == 303
    _, role = await roles_v2(env, role_id)
    assert not role.get("users") and not role.get("groups") and not role.get("permissions")
    del api_id
    deleted = await browser.post(f"{base}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    assert (await roles_v2(env, role_id))[0] == 404


async def test_application_role_picks_from_authorized_scopes_only(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    api_id = await bookings_api(browser)
    app_id, _, _ = await create_app(browser, "bookings-web")
    tab = f"/t/default/console/applications/{app_id}/api-authorization"
    await browser.post(tab, {"api": api_id, "scopes": ["bookings:read"]})
    created = await browser.post(
        "/t/default/console/roles", {"displayName": "Reader", "audience": app_id}
    )
    role_id = ROLE.search(created.headers["location"]).group(1)
    base = f"/t/default/console/roles/{role_id}"
    page = await browser.http.get(base)
    assert 'value="bookings:read"' in page.text
    assert 'value="bookings:write"' not in page.text
    assert 'value="internal_user_mgt_view"' not in page.text
    # A scope that is not authorized for the application is refused; nothing stored.
    refused = await browser.post(f"{base}/permissions", {"permissions": ["bookings:write"]})
    assert refused.status_code == 400 and "not authorized" in refused.text
    _, role = await roles_v2(env, role_id)
    assert not role.get("permissions")


async def test_errors_and_isolation(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    created = await browser.post(
        "/t/default/console/roles", {"displayName": "Support", "audience": "organization"}
    )
    role_id = ROLE.search(created.headers["location"]).group(1)
    base = f"/t/default/console/roles/{role_id}"
    cases = [
        ("/t/default/console/roles", {"displayName": "support", "audience": "organization"}, 409),
        ("/t/default/console/roles", {"displayName": "", "audience": "organization"}, 400),
        ("/t/default/console/roles", {"displayName": "X", "audience": "no-such-app"}, 400),
        (f"{base}/users", {"userName": "ghost"}, 400),
        (f"{base}/groups", {"groupName": "ghosts"}, 400),
        (f"{base}/permissions", {"permissions": ["no:such:scope"]}, 400),
        (f"{base}/delete", {}, 400),
    ]
    for path, data, status in cases:
        response = await browser.post(path, data)
        assert response.status_code == status, (path, response.text)
        assert 'role="alert"' in response.text
    assert (await browser.post(base, {"displayName": "Y"}, token="")).status_code == 403
    _, role = await roles_v2(env, role_id)
    assert role["displayName"] == "Support" and not role.get("permissions")

    await env.add_org("org-b")
    b = env.browser("org-b")
    assert (await b.sign_in("admin", "org-b-admin-password")).status_code == 200
    assert "Support" not in (await b.http.get("/t/org-b/console/roles")).text
    assert (await b.http.get(f"/t/org-b/console/roles/{role_id}")).status_code == 404
    stolen = await b.post(f"/t/org-b/console/roles/{role_id}/delete", {"confirm": "yes"})
    assert stolen.status_code == 404
    assert (await roles_v2(env, role_id))[0] == 200
