"""Invitation, password recovery and email verification end to end: SCIM or the login
page asks, the mail crosses a real SMTP server, the link works once on the hosted page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy import update

from runegate.storage.db import Database
from runegate.storage.models.mail import AccountToken
from runegate.storage.models.mail import MailOutbox
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.mail.smtpd import Inbox
from tests.mail.smtpd import html_of
from tests.mail.smtpd import text_of
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import hidden_form
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

pytestmark = pytest.mark.storage
USERS = "/t/default/scim2/Users"
WSO2 = "urn:scim:wso2:schema"
NEW_PASSWORD = "Fresh-Passw0rd"
LINK = re.compile(r"http://testserver(/t/default/accountrecovery/[a-z-]+\?token=[\w%-]+)")


@dataclass
class World:
    signin: Signin
    admin: Admin
    inbox: Inbox
    db: Database

    async def create_user(self, **body: Any) -> dict[str, Any]:
        response = await self.admin.call("POST", USERS, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def user(self, user_id: str) -> dict[str, Any]:
        response = await self.admin.call("GET", f"{USERS}/{user_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def link(self, to: str) -> str:
        message = await self.inbox.next()
        assert message["To"] == to
        found = LINK.search(text_of(message))
        assert found, text_of(message)
        assert found.group(0) in html_of(message)
        return found.group(1)

    async def sign_in(self, user: str, password: str) -> httpx.Response:
        app = await self.signin.app_with_code("mail-app", skip_consent=True)
        browser = self.signin.browser()
        page = await browser.authorize(**code_params(app, pkce_pair()[1]))
        return await browser.login(page, user, password)


@pytest.fixture
async def world(make_app: AppFactory, smtp_url: str, inbox: Inbox, db: Database) -> Any:
    app, http = await make_app(smtp_url=smtp_url)
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    ctx = Signin(app, admin)
    yield World(ctx, admin, inbox, db)
    for client in ctx.browsers:
        await client.aclose()


async def set_password(
    browser: httpx.AsyncClient, link: str, password: str, confirm: str | None = None
) -> httpx.Response:
    page = await browser.get(link)
    assert page.status_code == 200, page.text
    action, hidden = hidden_form(page.text)
    data = {**hidden, "password": password, "confirm": confirm or password}
    return await browser.post(action, data=data)


async def test_an_invited_user_sets_a_password_once_and_signs_in(world: World) -> None:
    user = await world.create_user(
        userName="kim",
        emails=[{"value": "kim@example.com", "primary": True}],
        **{WSO2: {"askPassword": True}},
    )
    assert user["active"] is False
    link = await world.link("kim@example.com")
    browser = world.signin.browser().http
    weak = await set_password(browser, link, "short")
    assert weak.status_code == 400 and "The password must have" in weak.text
    differ = await set_password(browser, link, NEW_PASSWORD, "Other-Passw0rd")
    assert differ.status_code == 400 and "differ" in differ.text
    done = await set_password(browser, link, NEW_PASSWORD)
    assert done.status_code == 200 and "Your password is set" in done.text
    assert (await world.user(user["id"]))["active"] is True
    again = await browser.get(link)
    assert again.status_code == 400 and "already been used" in again.text
    signed_in = await world.sign_in("kim", NEW_PASSWORD)
    assert query_of(signed_in)["state"] == "st-123"


async def test_ask_password_needs_an_email(world: World) -> None:
    response = await world.admin.call(
        "POST", USERS, json={"userName": "noemail", WSO2: {"askPassword": True}}
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidValue"


async def test_expired_unknown_and_forged_links_are_refused(world: World) -> None:
    await world.create_user(
        userName="lee", emails=[{"value": "lee@example.com"}], **{WSO2: {"askPassword": True}}
    )
    link = await world.link("lee@example.com")
    browser = world.signin.browser().http
    page = await browser.get(link)
    action, hidden = hidden_form(page.text)
    async with world.db.write() as session:
        await session.execute(
            update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    expired = await browser.get(link)
    assert expired.status_code == 400 and "expired" in expired.text
    posted = await browser.post(
        action, data={**hidden, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert posted.status_code == 400 and "expired" in posted.text
    unknown = await browser.get(f"{urlsplit(link).path}?token=nope")
    assert unknown.status_code == 400 and "not valid" in unknown.text
    no_csrf = await browser.post(
        action, data={"token": hidden["token"], "password": "x", "confirm": "x"}
    )
    assert no_csrf.status_code == 403


async def test_password_recovery_resets_once_and_ends_sessions_and_tokens(world: World) -> None:
    await world.create_user(
        userName="ada", password="Initial-Passw0rd", emails=[{"value": "ada@example.com"}]
    )
    app = await world.signin.app_with_code("recovery-app", skip_consent=True)
    browser = world.signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    login_page = page.text
    assert "/t/default/accountrecovery/forgot" in login_page
    code = query_of(await browser.login(page, "ada", "Initial-Passw0rd"))["code"]
    token = (await world.signin.exchange(app, code, verifier)).json()["access_token"]

    forgot = await browser.http.get("/t/default/accountrecovery/forgot")
    action, hidden = hidden_form(forgot.text)
    answers = []
    for login in ("ADA@example.com", "nobody", "nobody@example.com"):
        answer = await browser.http.post(action, data={**hidden, "login": login})
        assert answer.status_code == 200
        answers.append(re.sub(r'nonce="[^"]+"', "", answer.text))
    assert answers[0] == answers[1] == answers[2]  # the same answer whether or not it exists
    link = await world.link("ada@example.com")
    assert "/accountrecovery/reset?" in link
    done = await set_password(browser.http, link, NEW_PASSWORD)
    assert done.status_code == 200 and "Your password is changed" in done.text
    assert (await world.signin.introspect(app, token))["active"] is False
    # The SSO session ended: the authorization endpoint shows the login form again.
    relogin = await browser.authorize(**code_params(app, challenge))
    assert 'name="password"' in relogin.text
    refused = await browser.login(relogin, "ada", "Initial-Passw0rd")
    assert refused.status_code == 400
    assert (await browser.http.get(link)).status_code == 400
    assert query_of(await world.sign_in("ada", NEW_PASSWORD))["state"] == "st-123"


async def test_recovery_requests_are_rate_limited(world: World) -> None:
    user = await world.create_user(
        userName="bo", password="Initial-Passw0rd", emails=[{"value": "bo@example.com"}]
    )
    http = world.signin.browser().http
    page = await http.get("/t/default/accountrecovery/forgot")
    action, hidden = hidden_form(page.text)
    statuses = [
        (await http.post(action, data={**hidden, "login": "bo"})).status_code for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    async with world.db.read() as session:
        rows = (
            await session.execute(select(MailOutbox.id).where(MailOutbox.user_id == user["id"]))
        ).all()
    assert len(rows) == 3  # three links an hour per user


async def test_a_new_email_with_verify_email_is_verified_by_its_link(world: World) -> None:
    user = await world.create_user(
        userName="eve",
        password="Initial-Passw0rd",
        emails=[{"value": "eve@example.com", "primary": True}],
        **{WSO2: {"verifyEmail": True}},
    )
    link = await world.link("eve@example.com")
    assert "/accountrecovery/verify-email?" in link
    http = world.signin.browser().http
    page = await http.get(link)
    assert page.status_code == 200 and "eve@example.com" in page.text
    action, hidden = hidden_form(page.text)
    done = await http.post(action, data=hidden)
    assert done.status_code == 200 and "confirmed" in done.text
    assert (await world.user(user["id"]))[WSO2]["emailVerified"] is True
    assert (await http.post(action, data=hidden)).status_code == 400
    # A changed address is no longer verified and gets a link of its own.
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {
                "op": "replace",
                "path": "emails",
                "value": [{"value": "eve@new.example", "primary": True}],
            },
            {"op": "replace", "path": f"{WSO2}:verifyEmail", "value": True},
        ],
    }
    response = await world.admin.call("PATCH", f"{USERS}/{user['id']}", json=patch)
    assert response.status_code == 200, response.text
    assert "emailVerified" not in response.json().get(WSO2, {})
    assert "/verify-email?" in await world.link("eve@new.example")
