"""Console API Resources pages over real HTTP: list, create with scopes, edit, add and
delete scopes, delete; system resources read-only; errors re-render the form."""

from __future__ import annotations

from tests.web.console.conftest import ConsoleEnv
from tests.web.console.conftest import text_of
from tests.web.console.test_api_authorization import bookings_api


async def test_create_edit_scopes_and_delete(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    listed = await browser.http.get("/t/default/console/api-resources")
    assert listed.status_code == 200 and "/api/server/v1/applications" in listed.text
    api_id = await bookings_api(browser)
    base = f"/t/default/console/api-resources/{api_id}"
    page = await browser.http.get(base)
    assert "bookings:read" in page.text and "Read bookings" in page.text
    headers = await env.admin_token("internal_api_resource_view")
    api = f"/t/default/api/server/v1/api-resources/{api_id}"

    updated = await browser.post(base, {"name": "Bookings API", "description": "Rooms"})
    assert updated.status_code == 303
    added = await browser.post(
        f"{base}/scopes", {"scope_name": "bookings:admin", "scope_display": "Admin"}
    )
    assert added.status_code == 303
    removed = await browser.post(f"{base}/scopes/delete", {"scope": "bookings:write"})
    assert removed.status_code == 303
    body = (await env.http.get(api, headers=headers)).json()
    assert body["name"] == "Bookings API" and body["description"] == "Rooms"
    assert sorted(s["name"] for s in body["scopes"]) == ["bookings:admin", "bookings:read"]

    refused = await browser.post(f"{base}/delete", {})
    assert refused.status_code == 400 and "confirm" in refused.text
    deleted = await browser.post(f"{base}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    assert (await env.http.get(api, headers=headers)).status_code == 404
    assert (await browser.http.get(base)).status_code == 404


async def test_errors_show_the_form_and_store_nothing(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    api_id = await bookings_api(browser)
    cases = [
        ({"name": "Again", "identifier": "https://api.example/bookings"}, 409, "already"),
        ({"name": "", "identifier": "https://x.example"}, 400, "name"),
        ({"name": "Dup", "identifier": "https://d.example", "scope_name": ["a", "a"]}, 400, "a"),
        ({"name": "Bad", "identifier": "https://b.example", "scope_name": ['x"y']}, 400, "pattern"),
        (
            {"name": "Taken", "identifier": "https://t.example", "scope_name": ["bookings:read"]},
            409,
            "bookings:read",
        ),
    ]
    for data, status, message in cases:
        page = await browser.post("/t/default/console/api-resources", data)
        assert page.status_code == status, page.text
        assert 'role="alert"' in page.text and message in text_of(page.text)
        assert 'action="/t/default/console/api-resources"' in page.text
    headers = await env.admin_token("internal_api_resource_view")
    listed = await env.http.get(
        "/t/default/api/server/v1/api-resources?filter=type+eq+BUSINESS", headers=headers
    )
    assert [r["id"] for r in listed.json()["APIResources"]] == [api_id]
    base = f"/t/default/console/api-resources/{api_id}"
    dup = await browser.post(f"{base}/scopes", {"scope_name": "bookings:read"})
    assert dup.status_code == 409 and "bookings:read" in dup.text
    blank = await browser.post(f"{base}/scopes", {"scope_name": ""})
    assert blank.status_code == 400 and "Enter the scope" in blank.text


async def test_system_resources_are_read_only(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    headers = await env.admin_token("internal_api_resource_view")
    listed = await env.http.get(
        "/t/default/api/server/v1/api-resources?filter=identifier+eq+/scim2/Users", headers=headers
    )
    system_id = listed.json()["APIResources"][0]["id"]
    page = await browser.http.get(f"/t/default/console/api-resources/{system_id}")
    assert page.status_code == 200 and "read-only" in page.text
    refused = await browser.post(
        f"/t/default/console/api-resources/{system_id}/delete", {"confirm": "yes"}
    )
    assert refused.status_code in (400, 403), refused.text
    assert (
        await browser.http.get(f"/t/default/console/api-resources/{system_id}")
    ).status_code == 200
