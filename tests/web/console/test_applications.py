"""Console Applications pages over real HTTP: sign-in, list, search, create from the
templates, the protocol tab (secret once, regenerate, callbacks, grants, token type and
lifetimes), general settings and delete, with their error answers."""

from __future__ import annotations

import re

from tests.conftest import basic_auth
from tests.web.console.conftest import USER_PASSWORD
from tests.web.console.conftest import Browser
from tests.web.console.conftest import ConsoleEnv
from tests.web.console.conftest import text_of

M2M = "m2m-application"
OIDC = "b9c5e11e-fc78-484b-9bec-015d247561b8"
SPA = "single-page-application"
SECRET = re.compile(r'id="client-secret" value="([^"]+)"')
CLIENT_ID = re.compile(r'id="client-id" value="([^"]+)"')
APP_LINK = re.compile(r'/console/applications/([0-9a-f-]{36})"')


async def create_app(
    browser: Browser, name: str, template: str = M2M, callback: str = ""
) -> tuple[str, str, str]:
    page = await browser.post(
        f"{browser.console}/applications",
        {"name": name, "template": template, "callback": callback},
    )
    assert page.status_code == 201, page.text
    app_id = APP_LINK.search(page.text).group(1)
    secret = SECRET.search(page.text)
    return app_id, CLIENT_ID.search(page.text).group(1), secret.group(1) if secret else ""


async def test_not_signed_in_redirects_to_the_login_page(env: ConsoleEnv) -> None:
    browser = env.browser()
    for path in ("", "/applications", "/applications/new", "/api-resources"):
        response = await browser.http.get(f"/t/default/console{path}")
        assert response.status_code == 303
        location = response.headers["location"]
        assert location.startswith("/t/default/oauth2/authorize?")
        assert "client_id=CONSOLE" in location and "code_challenge_method=S256" in location
    posted = await browser.http.post("/t/default/console/applications", data={"name": "x"})
    assert posted.status_code == 303
    assert "/oauth2/authorize?" in posted.headers["location"]


async def test_admin_signs_in_and_sees_the_organization(env: ConsoleEnv) -> None:
    browser = env.browser()
    page = await browser.sign_in()
    assert page.status_code == 200, page.text
    assert "Applications" in page.text and "default" in text_of(page.text)
    assert "Signed in as" in text_of(page.text) and "admin" in text_of(page.text)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    cookie = next(c for c in browser.http.cookies.jar if c.name == "runegate_console")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.path == "/t/default/console"
    # The Console (a system application) is not listed among the organization's apps.
    assert ">Console<" not in page.text
    script = await browser.http.get("/t/default/console/static/console.js")
    assert script.status_code == 200 and "clipboard" in script.text


async def test_wrong_state_or_no_auth_cookie_at_the_callback(env: ConsoleEnv) -> None:
    browser = env.browser()
    response = await browser.http.get("/t/default/console/callback?code=x&state=y")
    assert response.status_code == 400
    assert "expired" in response.text
    assert "runegate_console" not in {c.name for c in browser.http.cookies.jar}


async def test_a_user_without_the_admin_role_gets_403(env: ConsoleEnv) -> None:
    await env.create_user("plain")
    browser = env.browser()
    page = await browser.sign_in("plain", USER_PASSWORD)
    assert page.status_code == 403
    assert "administrators only" in page.text and "plain" in page.text
    again = await browser.http.get("/t/default/console/applications")
    assert again.status_code == 303  # no Console session was created


async def test_create_m2m_shows_the_secret_once_and_it_works(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    app_id, client_id, secret = await create_app(browser, "worker")
    assert secret
    later = await browser.http.get(f"/t/default/console/applications/{app_id}/protocol")
    assert later.status_code == 200 and client_id in later.text
    assert secret not in later.text and "client-secret" not in later.text  # shown once only
    token = await env.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(client_id, secret),
    )
    assert token.status_code == 200, token.text
    # Regenerate: a new secret is shown once; the old one stops working.
    page = await browser.post(f"/t/default/console/applications/{app_id}/secret", {})
    assert page.status_code == 200
    new_secret = SECRET.search(page.text).group(1)
    assert new_secret != secret
    old = await env.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(client_id, secret),
    )
    assert old.status_code == 401


async def test_list_and_search(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    await create_app(browser, "alpha-service")
    await create_app(browser, "beta-service")
    await create_app(browser, "web-app", OIDC, "https://app.example/cb")
    await create_app(browser, "spa-app", SPA, "https://spa.example/cb")
    listed = await browser.http.get("/t/default/console/applications")
    for name in ("alpha-service", "beta-service", "web-app", "spa-app", "Runegate Bootstrap"):
        assert name in listed.text
    found = await browser.http.get("/t/default/console/applications?q=beta")
    assert "beta-service" in found.text and "alpha-service" not in found.text
    assert "1 application matching" in text_of(found.text)


async def test_create_errors_show_the_form_and_store_nothing(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    await create_app(browser, "taken")
    cases = [
        ({"name": "taken", "template": M2M}, "already exists"),
        ({"name": " ", "template": M2M}, "name"),
        ({"name": "web", "template": OIDC, "callback": ""}, "callbackURLs"),
        ({"name": "odd", "template": "nope"}, "Choose one of the templates"),
    ]
    for data, message in cases:
        page = await browser.post("/t/default/console/applications", data)
        assert page.status_code in (400, 409)
        assert 'role="alert"' in page.text and message in text_of(page.text), page.text
        assert 'action="/t/default/console/applications"' in page.text  # the form again
    listed = await browser.http.get("/t/default/console/applications")
    assert "2 applications" in text_of(listed.text)  # bootstrap + taken


async def test_csrf_missing_or_wrong_is_refused(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    for token in ("", "forged"):
        page = await browser.post(
            "/t/default/console/applications", {"name": "x", "template": M2M}, token=token
        )
        assert page.status_code == 403
        assert "expired" in page.text
    listed = await browser.http.get("/t/default/console/applications")
    assert ">x<" not in listed.text


async def test_protocol_tab_updates_callbacks_grants_token_type_and_lifetimes(
    env: ConsoleEnv,
) -> None:
    browser = env.browser()
    await browser.sign_in()
    app_id, client_id, secret = await create_app(browser, "web", OIDC, "https://a.example/cb")
    path = f"/t/default/console/applications/{app_id}/protocol"
    form = {
        "grantTypes": ["authorization_code", "client_credentials"],
        "callbackURLs": "https://a.example/cb\nhttps://b.example/cb",
        "allowedOrigins": "",
        "accessTokenType": "JWT",
        "userAccessTokenExpiry": "900",
        "appAccessTokenExpiry": "600",
        "refreshTokenExpiry": "7200",
        "idTokenExpiry": "300",
    }
    page = await browser.post(path, form)
    assert page.status_code == 200 and "Saved." in page.text, page.text
    headers = await env.admin_token("internal_application_mgt_view")
    oidc = (
        await env.http.get(
            f"/t/default/api/server/v1/applications/{app_id}/inbound-protocols/oidc",
            headers=headers,
        )
    ).json()
    assert oidc["grantTypes"] == ["authorization_code", "client_credentials"]
    assert oidc["callbackURLs"] == ["https://a.example/cb", "https://b.example/cb"]
    assert oidc["accessToken"]["type"] == "JWT"
    assert oidc["accessToken"]["applicationAccessTokenExpiryInSeconds"] == 600
    assert oidc["refreshToken"]["expiryInSeconds"] == 7200
    token = await env.http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=basic_auth(client_id, secret),
    )
    assert token.status_code == 200 and token.json()["expires_in"] == 600
    assert token.json()["access_token"].count(".") == 2  # a JWT now
    # Invalid input: the tab again with the message; nothing changed.
    for bad, message in (
        ({**form, "appAccessTokenExpiry": "soon"}, "whole number of seconds"),
        ({**form, "grantTypes": []}, "grantTypes"),
        ({**form, "grantTypes": ["authorization_code"], "callbackURLs": ""}, "callbackURLs"),
    ):
        page = await browser.post(path, bad)
        assert page.status_code == 400, page.text
        assert message in text_of(page.text)
    again = (
        await env.http.get(
            f"/t/default/api/server/v1/applications/{app_id}/inbound-protocols/oidc",
            headers=headers,
        )
    ).json()
    assert again == oidc


async def test_general_update_and_delete(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    app_id, _, _ = await create_app(browser, "old-name")
    base = f"/t/default/console/applications/{app_id}"
    page = await browser.post(base, {"name": "new-name", "description": "Does things"})
    assert page.status_code == 200 and "Saved." in page.text
    assert 'value="new-name"' in page.text
    await create_app(browser, "other")
    clash = await browser.post(base, {"name": "other", "description": ""})
    assert clash.status_code == 409 and "already exists" in clash.text
    refused = await browser.post(f"{base}/delete", {})
    assert refused.status_code == 400 and "confirm" in refused.text
    deleted = await browser.post(f"{base}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    gone = await browser.http.get(base)
    assert gone.status_code == 404 and "cannot be found" in gone.text
