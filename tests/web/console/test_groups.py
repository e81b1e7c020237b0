"""Console Groups pages over real HTTP: search, create, rename, add and remove members,
delete, checked through SCIM; errors; isolation between organizations."""

from __future__ import annotations

import re

from tests.web.console.conftest import ConsoleEnv
from tests.web.console.conftest import text_of

GROUP = re.compile(r"/console/groups/([0-9a-f-]{36})")


async def scim_group(env: ConsoleEnv, group_id: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    headers = await env.admin_token("internal_group_mgt_view")
    response = await env.http.get(f"/t/default/scim2/Groups/{group_id}", headers=headers)
    return response.status_code, response.json() if response.status_code == 200 else {}


async def test_create_members_rename_and_delete(env: ConsoleEnv) -> None:
    ada = await env.create_user("ada")
    await env.create_user("bob")
    browser = env.browser()
    await browser.sign_in()
    created = await browser.post("/t/default/console/groups", {"displayName": "Engineers"})
    assert created.status_code == 303, created.text
    group_id = GROUP.search(created.headers["location"]).group(1)
    base = f"/t/default/console/groups/{group_id}"
    assert (await browser.post(f"{base}/members", {"userName": "ada"})).status_code == 303
    assert (await browser.post(f"{base}/members", {"userName": "bob"})).status_code == 303
    _, body = await scim_group(env, group_id)
    assert sorted(m["display"] for m in body["members"]) == ["ada", "bob"]
    removed = await browser.post(f"{base}/members/remove", {"user": ada})
    assert removed.status_code == 303
    renamed = await browser.post(base, {"displayName": "Builders"})
    assert renamed.status_code == 303
    _, body = await scim_group(env, group_id)
    assert body["displayName"] == "Builders" and [m["display"] for m in body["members"]] == ["bob"]
    listed = await browser.http.get("/t/default/console/groups?q=build")
    assert "Builders" in listed.text and "1 group matching" in text_of(listed.text)

    missing = await browser.post(f"{base}/members", {"userName": "nobody"})
    assert missing.status_code == 400 and "No user named" in missing.text
    refused = await browser.post(f"{base}/delete", {})
    assert refused.status_code == 400 and "confirm" in refused.text
    deleted = await browser.post(f"{base}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    assert (await scim_group(env, group_id))[0] == 404


async def test_errors_and_isolation(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    first = await browser.post("/t/default/console/groups", {"displayName": "Ops"})
    group_id = GROUP.search(first.headers["location"]).group(1)
    dup = await browser.post("/t/default/console/groups", {"displayName": "ops"})
    assert dup.status_code == 409 and "already exists" in dup.text
    blank = await browser.post("/t/default/console/groups", {"displayName": ""})
    assert blank.status_code == 400 and "Enter the group" in blank.text
    forged = await browser.post("/t/default/console/groups", {"displayName": "X"}, token="bad")
    assert forged.status_code == 403
    listed = await browser.http.get("/t/default/console/groups")
    assert "1 group." in text_of(listed.text)

    await env.add_org("org-b")
    b = env.browser("org-b")
    assert (await b.sign_in("admin", "org-b-admin-password")).status_code == 200
    assert "Ops" not in (await b.http.get("/t/org-b/console/groups")).text
    assert (await b.http.get(f"/t/org-b/console/groups/{group_id}")).status_code == 404
    stolen = await b.post(f"/t/org-b/console/groups/{group_id}", {"displayName": "Mine"})
    assert stolen.status_code == 404
    assert (await scim_group(env, group_id))[1]["displayName"] == "Ops"
