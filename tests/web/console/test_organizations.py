"""Console Organizations page over real HTTP: the tree of sub-organizations, create one
under the root and under a sub-organization, delete (refused with children), errors, and
another root organization's admin sees none of it."""

from __future__ import annotations

import re

from tests.web.console.conftest import ConsoleEnv


async def test_tree_create_and_delete(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    page = await browser.http.get("/t/default/console/organizations")
    assert page.status_code == 200 and "No sub-organizations yet" in page.text
    made = await browser.post(
        "/t/default/console/organizations", {"name": "acme-eu", "description": "Europe"}
    )
    assert made.status_code == 303, made.text
    page = await browser.http.get("/t/default/console/organizations")
    parent_id = re.search(r'<option value="([0-9a-f-]{36})">acme-eu<', page.text).group(1)
    child = await browser.post(
        "/t/default/console/organizations", {"name": "acme-eu-paris", "parent": parent_id}
    )
    assert child.status_code == 303
    page = await browser.http.get("/t/default/console/organizations")
    # The child is nested in its parent's list item.
    assert re.search(r"acme-eu</strong>.*?<ul><li><strong>acme-eu-paris", page.text, re.S)
    headers = await env.admin_token("internal_organization_view")
    listed = await env.http.get(
        "/t/default/api/server/v1/organizations?recursive=true", headers=headers
    )
    assert sorted(o["name"] for o in listed.json()["organizations"]) == ["acme-eu", "acme-eu-paris"]

    refused = await browser.post(
        f"/t/default/console/organizations/{parent_id}/delete", {"confirm": "yes"}
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    unconfirmed = await browser.post(f"/t/default/console/organizations/{parent_id}/delete", {})
    assert unconfirmed.status_code == 400 and "confirm" in unconfirmed.text
    child_id = re.search(r'<option value="([0-9a-f-]{36})">acme-eu-paris<', page.text).group(1)
    for org_id in (child_id, parent_id):
        gone = await browser.post(
            f"/t/default/console/organizations/{org_id}/delete", {"confirm": "yes"}
        )
        assert gone.status_code == 303
    listed = await env.http.get(
        "/t/default/api/server/v1/organizations?recursive=true", headers=headers
    )
    assert listed.json()["organizations"] == []


async def test_errors_and_isolation(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    await browser.post("/t/default/console/organizations", {"name": "acme-us"})
    cases = [
        ({"name": "acme-us"}, 409),
        ({"name": ""}, 400),
        ({"name": "x", "parent": "00000000-0000-0000-0000-000000000000"}, 400),
    ]
    for data, status in cases:
        page = await browser.post("/t/default/console/organizations", data)
        assert page.status_code == status, page.text
        assert 'role="alert"' in page.text
    forged = await browser.post("/t/default/console/organizations", {"name": "y"}, token="x")
    assert forged.status_code == 403
    page = await browser.http.get("/t/default/console/organizations")
    assert page.text.count("<strong>acme") == 1

    await env.add_org("org-b")
    b = env.browser("org-b")
    assert (await b.sign_in("admin", "org-b-admin-password")).status_code == 200
    other = await b.http.get("/t/org-b/console/organizations")
    assert "acme-us" not in other.text and "No sub-organizations yet" in other.text
    acme_id = re.search(r'<option value="([0-9a-f-]{36})">acme-us<', page.text).group(1)
    stolen = await b.post(f"/t/org-b/console/organizations/{acme_id}/delete", {"confirm": "yes"})
    assert stolen.status_code in (400, 404)
    assert "acme-us" in (await browser.http.get("/t/default/console/organizations")).text
