"""Console Organizations page over real HTTP: the tree of sub-organizations, create one
under the root and under a sub-organization, delete (refused with children), share an
application with one or all sub-organizations (checked through the sharing API), errors,
and another root organization's admin sees none of it."""

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


async def test_share_an_application_with_one_or_all_sub_organizations(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    console = "/t/default/console"
    for name in ("acme-eu", "acme-us"):
        assert (await browser.post(f"{console}/organizations", {"name": name})).status_code == 303
    made = await browser.post(
        f"{console}/applications", {"name": "portal", "template": "m2m-application"}
    )
    assert made.status_code == 201, made.text
    page = await browser.http.get(f"{console}/organizations")
    app_id = re.search(r'<option value="([0-9a-f-]{36})">portal<', page.text).group(1)
    eu_id = re.search(r'<option value="([0-9a-f-]{36})">acme-eu<', page.text).group(1)
    assert re.search(r"<td>portal</td><td>not shared</td>", page.text)
    headers = await env.admin_token("internal_shared_application_view")
    api = f"/t/default/api/server/v1/applications/{app_id}/share"

    async def shared_with() -> list[str]:
        answer = await env.http.get(api, headers=headers)
        assert answer.status_code == 200, answer.text
        return sorted(o["name"] for o in answer.json()["organizations"])

    one = await browser.post(
        f"{console}/organizations/share", {"application": app_id, "target": eu_id}
    )
    assert one.status_code == 303, one.text
    assert await shared_with() == ["acme-eu"]
    page = await browser.http.get(f"{console}/organizations")
    assert re.search(r"<td>portal</td><td>acme-eu</td>", page.text)
    every = await browser.post(
        f"{console}/organizations/share", {"application": app_id, "target": "all"}
    )
    assert every.status_code == 303
    assert await shared_with() == ["acme-eu", "acme-us"]

    # Errors: the page again with the message, nothing shared; CSRF; another root org.
    unknown = "00000000-0000-0000-0000-000000000000"
    cases = [
        ({"application": unknown, "target": eu_id}, 404),
        ({"application": app_id, "target": ""}, 400),
    ]
    for data, status in cases:
        page = await browser.post(f"{console}/organizations/share", data)
        assert page.status_code == status, page.text
        assert 'role="alert"' in page.text
    forged = await browser.post(
        f"{console}/organizations/share", {"application": app_id, "target": eu_id}, token="x"
    )
    assert forged.status_code == 403
    await env.add_org("org-b")
    b = env.browser("org-b")
    assert (await b.sign_in("admin", "org-b-admin-password")).status_code == 200
    stolen = await b.post(
        "/t/org-b/console/organizations/share", {"application": app_id, "target": "all"}
    )
    assert stolen.status_code == 404 and "portal" not in stolen.text


async def test_share_with_an_organization_that_is_not_below_is_refused(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    console = "/t/default/console"
    await browser.post(f"{console}/applications", {"name": "portal", "template": "m2m-application"})
    page = await browser.http.get(f"{console}/organizations")
    assert "<td>portal</td><td>not shared</td>" in page.text
    assert 'action="/t/default/console/organizations/share"' not in page.text  # nothing below
    await browser.post(f"{console}/organizations", {"name": "acme-eu"})
    page = await browser.http.get(f"{console}/organizations")
    app_id = re.search(r'<option value="([0-9a-f-]{36})">portal<', page.text).group(1)
    refused = await browser.post(
        f"{console}/organizations/share",
        {"application": app_id, "target": "00000000-0000-0000-0000-000000000000"},
    )
    assert refused.status_code == 400 and 'role="alert"' in refused.text
    headers = await env.admin_token("internal_shared_application_view")
    answer = await env.http.get(
        f"/t/default/api/server/v1/applications/{app_id}/share", headers=headers
    )
    assert answer.json()["organizations"] == []
