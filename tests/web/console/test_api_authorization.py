"""The seed's steps on the Console over real HTTP: Applications -> the application ->
API Authorization -> Authorize an API Resource -> pick scopes -> Finish; then edit the
scopes and remove the authorization, each checked with a real client_credentials token.
Also the token tester and the errors of each form."""

from __future__ import annotations

import re

from tests.conftest import basic_auth
from tests.web.console.conftest import Browser
from tests.web.console.conftest import ConsoleEnv
from tests.web.console.conftest import text_of
from tests.web.console.test_applications import create_app

RESOURCE_ID = re.compile(r'/console/api-resources/([0-9a-f-]{36})"?')


async def bookings_api(browser: Browser) -> str:
    created = await browser.post(
        f"{browser.console}/api-resources",
        {
            "name": "Bookings",
            "identifier": "https://api.example/bookings",
            "scope_name": ["bookings:read", "bookings:write", ""],
            "scope_display": ["Read bookings", "", ""],
        },
    )
    assert created.status_code == 303, created.text
    return RESOURCE_ID.search(created.headers["location"] + '"').group(1)


async def token_scope(env: ConsoleEnv, client_id: str, secret: str, scope: str) -> str | None:
    response = await env.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scope},
        headers=basic_auth(client_id, secret),
    )
    assert response.status_code == 200, response.text
    return response.json().get("scope")


async def test_authorize_edit_and_remove_an_api_resource(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    api_id = await bookings_api(browser)
    app_id, client_id, secret = await create_app(browser, "bookings-worker")
    tab = f"/t/default/console/applications/{app_id}/api-authorization"
    page = await browser.http.get(tab)
    assert page.status_code == 200 and "Authorize an API Resource" in page.text
    assert "not authorized for any API resource" in page.text
    assert await token_scope(env, client_id, secret, "bookings:read bookings:write") is None

    # Step 1: choose the resource; step 2: its scopes with checkboxes, then Finish.
    chooser = await browser.http.get(f"{tab}/new")
    assert chooser.status_code == 200 and "Bookings (https://api.example/bookings)" in chooser.text
    step2 = await browser.http.get(f"{tab}/new?api={api_id}")
    assert 'value="bookings:read"' in step2.text and 'value="bookings:write"' in step2.text
    assert ">Finish<" in step2.text
    done = await browser.post(tab, {"api": api_id, "scopes": ["bookings:read"]})
    assert done.status_code == 303
    page = await browser.http.get(done.headers["location"])
    assert "https://api.example/bookings" in page.text
    assert await token_scope(env, client_id, secret, "bookings:read bookings:write") == (
        "bookings:read"
    )
    # The resource is no longer offered in the chooser.
    chooser = await browser.http.get(f"{tab}/new")
    assert "Bookings (https://api.example/bookings)" not in chooser.text

    # Edit the scopes: write instead of read.
    edited = await browser.post(f"{tab}/{api_id}", {"scopes": ["bookings:write"]})
    assert edited.status_code == 303
    assert await token_scope(env, client_id, secret, "bookings:read bookings:write") == (
        "bookings:write"
    )
    # Remove the authorization.
    removed = await browser.post(f"{tab}/{api_id}/remove", {})
    assert removed.status_code == 303
    assert await token_scope(env, client_id, secret, "bookings:read bookings:write") is None


async def test_authorize_errors_show_the_form_and_store_nothing(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    api_id = await bookings_api(browser)
    app_id, client_id, secret = await create_app(browser, "worker")
    tab = f"/t/default/console/applications/{app_id}/api-authorization"
    cases = [
        ({"api": api_id}, 400, "at least one scope"),
        ({"scopes": ["bookings:read"]}, 400, "Choose the API resource"),
        ({"api": api_id, "scopes": ["nope"]}, 400, "do not belong"),
        ({"api": "00000000-0000-0000-0000-000000000000", "scopes": ["x"]}, 404, "does not exist"),
    ]
    for data, status, message in cases:
        page = await browser.post(tab, data)
        assert page.status_code == status, page.text
        assert message in text_of(page.text), page.text
    assert await token_scope(env, client_id, secret, "bookings:read") is None
    await browser.post(tab, {"api": api_id, "scopes": ["bookings:read"]})
    again = await browser.post(tab, {"api": api_id, "scopes": ["bookings:write"]})
    assert again.status_code == 409 and "already authorized" in again.text
    bad_edit = await browser.post(f"{tab}/{api_id}", {"scopes": ["nope"]})
    assert bad_edit.status_code == 400 and "do not belong" in bad_edit.text
    assert await token_scope(env, client_id, secret, "bookings:read bookings:write") == (
        "bookings:read"
    )
    missing = await browser.post(f"{tab}/00000000-0000-0000-0000-000000000000/remove", {})
    assert missing.status_code == 404


async def test_token_tester_shows_requested_intersect_authorized(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    api_id = await bookings_api(browser)
    app_id, client_id, secret = await create_app(browser, "worker")
    tab = f"/t/default/console/applications/{app_id}"
    await browser.post(f"{tab}/api-authorization", {"api": api_id, "scopes": ["bookings:read"]})
    page = await browser.http.get(f"{tab}/token-tester?scope=bookings:read+bookings:write+other")
    assert page.status_code == 200
    assert '<code id="granted">bookings:read</code>' in page.text
    assert "no (not authorized)" in page.text
    # It issued nothing: the real endpoint agrees.
    assert await token_scope(env, client_id, secret, "bookings:read bookings:write other") == (
        "bookings:read"
    )
    bad = await browser.http.get(f"{tab}/token-tester?scope=%22quoted%22")
    assert bad.status_code == 400 and "invalid characters" in bad.text
    web_id, _, _ = await create_app(
        browser, "web", "single-page-application", "https://s.example/cb"
    )
    public = await browser.http.get(
        f"/t/default/console/applications/{web_id}/token-tester?scope=bookings:read"
    )
    assert "not allowed the client_credentials grant" in public.text


async def test_two_organizations_are_isolated(env: ConsoleEnv) -> None:
    await env.add_org("org-b")
    a = env.browser()
    await a.sign_in()
    app_id, _, _ = await create_app(a, "a-only-app")
    api_id = await bookings_api(a)
    b = env.browser("org-b")
    page = await b.sign_in("admin", "org-b-admin-password")
    assert page.status_code == 200, page.text
    assert "a-only-app" not in page.text and "org-b" in text_of(page.text)
    for path in (
        f"/applications/{app_id}",
        f"/applications/{app_id}/protocol",
        f"/applications/{app_id}/api-authorization",
        f"/api-resources/{api_id}",
    ):
        response = await b.http.get(f"/t/org-b/console{path}")
        assert response.status_code == 404, (path, response.text)
    # B's forms cannot change A's application either.
    renamed = await b.post(f"/t/org-b/console/applications/{app_id}", {"name": "stolen"})
    assert renamed.status_code == 404
    # A's Console session is not a session of org B (cookies are per organization path).
    crossed = await a.http.get("/t/org-b/console/applications")
    assert crossed.status_code == 303 and "/t/org-b/oauth2/authorize" in crossed.headers["location"]
    listed = await a.http.get("/t/default/console/applications")
    assert "a-only-app" in listed.text
