"""The My Account pages through a cookie-carrying HTTP client: sign-in through the
organization's own My Account application, then every form (CSRF-checked) and the
errors shown next to their fields."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from runegate.crypto import totp
from tests.myaccount.conftest import PASSWORD
from tests.myaccount.conftest import MyAccount
from tests.signin.conftest import Browser
from tests.signin.conftest import hidden_form

HOME = "/t/default/myaccount"


async def follow(browser: Browser, response: httpx.Response) -> httpx.Response:
    """Follow same-server redirects as a browser would."""
    for _ in range(10):
        if response.status_code not in (302, 303):
            return response
        target = urlsplit(response.headers["location"])
        path = target.path + (f"?{target.query}" if target.query else "")
        response = await browser.http.get(path)
    raise AssertionError("too many redirects")


def form_of(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the form posting to `.../actions/{action}`."""
    for match in re.finditer(r"<form[^>]*action=\"([^\"]+)\"[^>]*>(.*?)</form>", html, re.S):
        if match.group(1).endswith(f"/actions/{action}"):
            return dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', match.group(2)))
    raise AssertionError(f"no form for {action}")


async def post(
    browser: Browser, page: httpx.Response, action: str, **fields: str
) -> httpx.Response:
    data = {**form_of(page.text, action), **fields}
    return await browser.http.post(f"{HOME}/actions/{action}", data=data)


async def signed_in(my: MyAccount, user: str) -> tuple[Browser, httpx.Response]:
    browser = my.signin.browser()
    start = await browser.http.get(HOME)
    assert start.status_code == 303
    assert "client_id=MY_ACCOUNT_default" in start.headers["location"]
    login = await follow(browser, start)
    assert 'name="password"' in login.text
    page = await follow(browser, await browser.login(login, user))
    assert page.status_code == 200, page.text
    return browser, page


async def test_sign_in_and_profile(my: MyAccount) -> None:
    await my.admin.user("mia")
    browser, page = await signed_in(my, "mia")
    assert "Personal information" in page.text and "mia" in page.text
    assert "script" not in page.headers["content-security-policy"]
    saved = await post(
        browser, page, "profile", given_name="Mia", family_name="Wong", email="mia@example.com"
    )
    assert saved.status_code == 303
    shown = await follow(browser, saved)
    assert 'value="Mia"' in shown.text and "Your profile was saved." in shown.text
    # The same service as /scim2/Me: the change is visible there.
    headers = await my.user_headers("mia")
    me = await my.http.get("/t/default/scim2/Me", headers=headers)
    assert me.json()["name"]["givenName"] == "Mia"
    assert me.json()["emails"][0]["value"] == "mia@example.com"
    # No CSRF token: refused, nothing changed.
    forged = await browser.http.post(f"{HOME}/actions/profile", data={"given_name": "X"})
    assert forged.status_code == 403
    unknown = await browser.http.get(f"{HOME}/nowhere")
    assert unknown.status_code == 404
    # Signed out: the pages start a new sign-in.
    out = await post(browser, shown, "sign-out")
    assert out.status_code == 303
    assert (await browser.http.get(HOME)).status_code == 303
    action = await browser.http.post(f"{HOME}/actions/profile", data={})
    assert action.status_code == 303


async def test_password_errors_are_shown_next_to_their_fields(my: MyAccount) -> None:
    await my.admin.user("noah")
    browser, _page = await signed_in(my, "noah")
    security = await browser.http.get(f"{HOME}/security")
    mismatch = await post(
        browser, security, "password", current="wrong", new="New-Passw0rd1", confirm="other"
    )
    assert mismatch.status_code == 400
    assert 'id="confirm-error"' in mismatch.text and 'id="current-error"' in mismatch.text
    weak = await post(browser, security, "password", current=PASSWORD, new="weak", confirm="weak")
    assert weak.status_code == 400 and 'id="new-error"' in weak.text
    other = await my.user_headers("noah")
    done = await post(
        browser,
        security,
        "password",
        current=PASSWORD,
        new="New-Passw0rd1",
        confirm="New-Passw0rd1",
    )
    assert done.status_code == 303
    # This session stays; the user's other tokens end.
    assert (await follow(browser, done)).status_code == 200
    assert (await my.call("GET", "/sessions", other)).status_code == 401
    assert (await my.token("noah", password="New-Passw0rd1")).status_code == 200


async def test_totp_enrolment_backup_codes_and_sign_in(my: MyAccount) -> None:
    await my.admin.user("ivy")
    browser, _page = await signed_in(my, "ivy")
    security = await browser.http.get(f"{HOME}/security")
    pending = await follow(browser, await post(browser, security, "totp-start"))
    assert "<svg" in pending.text and 'aria-label="QR code' in pending.text
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', pending.text)
    assert secret
    wrong = "000000" if totp.matching_step(secret.group(1), "000000") is None else "111111"
    refused = await post(browser, pending, "totp-verify", code=wrong)
    assert refused.status_code == 400 and 'id="code-error"' in refused.text
    code = totp.hotp(secret.group(1), totp.current_step())
    on = await follow(browser, await post(browser, pending, "totp-verify", code=code))
    assert "Two-step verification is on" in on.text
    codes_page = await post(browser, on, "backup-codes")
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", codes_page.text)
    assert len(codes) == 10

    # A new sign-in asks for the code; a backup code is accepted once.
    other = my.signin.browser()
    login = await follow(other, await other.http.get(HOME))
    second = await other.login(login, "ivy")
    assert 'name="code"' in second.text
    action, fields = hidden_form(second.text)
    page = await follow(other, await other.http.post(action, data={**fields, "code": codes[0]}))
    assert page.status_code == 200 and "Personal information" in page.text
    assert (await my.call("GET", "/backup-codes", await _api(my, other))).status_code == 200


async def _api(my: MyAccount, browser: Browser) -> dict[str, str]:
    """A user token for the API checks (TOTP blocks the password grant: mint one)."""
    from runegate.oauth.tokens import mint_user_token
    from tests.conftest import BOOT_CLIENT_ID
    from tests.conftest import bearer

    state = my.signin.app.state.runegate
    tenant = await state.find_tenant("default")
    async with state.db.read() as session:
        from sqlalchemy import text

        user_id = (
            await session.execute(text("SELECT id FROM user_account WHERE user_name='ivy'"))
        ).scalar_one()
    token = await mint_user_token(
        state, tenant, client_id=BOOT_CLIENT_ID, user_id=user_id, scopes=["internal_login"]
    )
    return bearer(token)


async def test_sessions_and_applications_pages(my: MyAccount) -> None:
    await my.admin.user("leo")
    first, _ = await my.browser_sign_in("leo")  # consents to "portal"
    browser, _page = await signed_in(my, "leo")
    sessions = await browser.http.get(f"{HOME}/sessions")
    assert sessions.text.count("/actions/session-end") == 2
    assert "This session" in sessions.text
    ended = await follow(browser, await post(browser, sessions, "sessions-end-others"))
    assert ended.text.count("/actions/session-end") == 1
    apps = await browser.http.get(f"{HOME}/apps")
    assert "portal" in apps.text
    revoked = await follow(browser, await post(browser, apps, "consent-revoke"))
    assert "portal" not in revoked.text.split("<main", 1)[1]
    assert "You have not allowed any application yet." in revoked.text
    # Ending this session from the list signs this browser out.
    sessions = await browser.http.get(f"{HOME}/sessions")
    out = await post(browser, sessions, "session-end")
    assert out.status_code == 303
    assert (await browser.http.get(HOME)).status_code == 303
    assert first
