"""Console Users pages over real HTTP: search, create, edit, disable and enable, reset
password, delete; each checked through SCIM or a real sign-in; errors re-render the page
and store nothing; one organization's admin cannot reach another's users."""

from __future__ import annotations

import re

from tests.web.console.conftest import ConsoleEnv
from tests.web.console.conftest import text_of

USER_LINK = re.compile(r"/console/users/([0-9a-f-]{36})")
GOOD = "Long-Enough-Passw0rd!"


async def password_grant(env: ConsoleEnv, user: str, password: str) -> int:
    """Sign-in works? The hosted login page through a fresh browser."""
    browser = env.browser()
    page = await browser.sign_in(user, password)
    return page.status_code


async def test_create_search_edit_and_delete(env: ConsoleEnv) -> None:
    browser = env.browser()
    await browser.sign_in()
    created = await browser.post(
        "/t/default/console/users",
        {
            "userName": "grace",
            "givenName": "Grace",
            "familyName": "Hopper",
            "email": "grace@example.com",
            "password": GOOD,
        },
    )
    assert created.status_code == 303, created.text
    user_id = USER_LINK.search(created.headers["location"]).group(1)
    headers = await env.admin_token("internal_user_mgt_view")
    scim = (await env.http.get(f"/t/default/scim2/Users/{user_id}", headers=headers)).json()
    assert scim["userName"] == "grace" and scim["name"]["givenName"] == "Grace"
    assert scim["emails"][0]["value"] == "grace@example.com"

    listed = await browser.http.get("/t/default/console/users?q=gra")
    assert "grace" in listed.text and "1 user matching" in text_of(listed.text)
    none = await browser.http.get("/t/default/console/users?q=zzz")
    assert "0 users matching" in text_of(none.text)

    base = f"/t/default/console/users/{user_id}"
    edited = await browser.post(
        base,
        {
            "givenName": "Amazing",
            "familyName": "Grace",
            "displayName": "AG",
            "email": "ag@example.com",
        },
    )
    assert edited.status_code == 303
    scim = (await env.http.get(f"/t/default/scim2/Users/{user_id}", headers=headers)).json()
    assert scim["name"] == {"givenName": "Amazing", "familyName": "Grace"}
    assert scim["displayName"] == "AG" and scim["emails"][0]["value"] == "ag@example.com"

    refused = await browser.post(f"{base}/delete", {})
    assert refused.status_code == 400 and "confirm" in refused.text
    deleted = await browser.post(f"{base}/delete", {"confirm": "yes"})
    assert deleted.status_code == 303
    gone = await env.http.get(f"/t/default/scim2/Users/{user_id}", headers=headers)
    assert gone.status_code == 404
    assert (await browser.http.get(base)).status_code == 404


async def test_disable_enable_and_reset_password(env: ConsoleEnv) -> None:
    user_id = await env.create_user("linus")
    browser = env.browser()
    await browser.sign_in()
    base = f"/t/default/console/users/{user_id}"
    assert (await browser.post(f"{base}/disable", {})).status_code == 303
    page = await browser.http.get(base)
    assert "Disabled" in page.text and "/enable" in page.text
    login = env.browser()
    start = await login.http.get("/t/default/console/applications")
    form_page = await login.http.get(start.headers["location"])
    from tests.signin.conftest import hidden_form

    action, hidden = hidden_form(form_page.text)
    denied = await login.http.post(
        action, data={**hidden, "username": "linus", "password": "Ordinary-Member-Passw0rd"}
    )
    assert denied.status_code == 400 and "incorrect" in denied.text  # disabled: no sign-in
    assert (await browser.post(f"{base}/enable", {})).status_code == 303
    assert "Active" in (await browser.http.get(base)).text

    weak = await browser.post(f"{base}/password", {"password": "short"})
    assert weak.status_code == 400 and 'role="alert"' in weak.text
    assert await password_grant(env, "linus", "Ordinary-Member-Passw0rd") == 403  # not admin
    reset = await browser.post(f"{base}/password", {"password": GOOD})
    assert reset.status_code == 303
    assert await password_grant(env, "linus", GOOD) == 403  # signs in with the new one


async def test_errors_and_own_account(env: ConsoleEnv) -> None:
    await env.create_user("taken")
    browser = env.browser()
    await browser.sign_in()
    cases = [
        ({"userName": "taken", "password": GOOD}, 409, "already"),
        ({"userName": "", "password": GOOD}, 400, "Enter the username"),
        ({"userName": "nopass", "password": ""}, 400, "Enter a password"),
        ({"userName": "weak", "password": "x"}, 400, "password"),
    ]
    for data, status, message in cases:
        page = await browser.post("/t/default/console/users", data)
        assert page.status_code == status, page.text
        assert 'role="alert"' in page.text and message in text_of(page.text)
    listed = await browser.http.get("/t/default/console/users")
    assert "2 users" in text_of(listed.text)  # admin and taken
    csrf = await browser.post(
        "/t/default/console/users", {"userName": "x", "password": GOOD}, token=""
    )
    assert csrf.status_code == 403
    # The administrator cannot disable or delete itself.
    admin_id = USER_LINK.search(
        re.search(r'href="(/t/default/console/users/[^"]+)">admin<', listed.text).group(1)
    ).group(1)
    for action, data in (("disable", {}), ("delete", {"confirm": "yes"})):
        page = await browser.post(f"/t/default/console/users/{admin_id}/{action}", data)
        assert page.status_code == 400 and "signed in with" in page.text


async def test_users_are_isolated_between_organizations(env: ConsoleEnv) -> None:
    user_id = await env.create_user("a-user")
    await env.add_org("org-b")
    b = env.browser("org-b")
    page = await b.sign_in("admin", "org-b-admin-password")
    assert page.status_code == 200
    listed = await b.http.get("/t/org-b/console/users")
    assert "a-user" not in listed.text
    assert (await b.http.get(f"/t/org-b/console/users/{user_id}")).status_code == 404
    disabled = await b.post(f"/t/org-b/console/users/{user_id}/disable", {})
    assert disabled.status_code == 404
    headers = await env.admin_token("internal_user_mgt_view")
    scim = (await env.http.get(f"/t/default/scim2/Users/{user_id}", headers=headers)).json()
    assert scim["active"] is True
