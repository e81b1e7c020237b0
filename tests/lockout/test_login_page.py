"""Account lockout on the hosted login page: the same failures lock; the page says
"incorrect" for a wrong password or unknown name, and "locked" for a locked account or
name alike (docs/security.md)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from runegate.web.routes import BAD_LOGIN
from runegate.web.routes import BUSY
from runegate.web.routes import LOCKED
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.lockout.conftest import SCOPES
from tests.lockout.conftest import is_locked
from tests.lockout.conftest import open_org
from tests.roles.conftest import Admin
from tests.signin.conftest import Browser
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair


async def _login(signin: Signin, app: dict[str, Any], user: str, password: str) -> httpx.Response:
    browser = signin.browser()
    _verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    return await browser.login(page, user, password)


async def _signin(make_app: AppFactory, **overrides: Any) -> tuple[Signin, dict[str, Any]]:
    app, http = await make_app(**overrides)
    signin = Signin(app, Admin(http, bearer(await get_token(http, SCOPES))))
    return signin, await signin.app_with_code("web", skip_consent=True)


def _says(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert message.replace("'", "&#39;") in response.text, response.text


async def test_login_page_locks_after_five_failures(make_app: AppFactory) -> None:
    signin, app = await _signin(make_app)
    olga = await signin.admin.user("olga")
    for _ in range(5):
        _says(await _login(signin, app, "olga", "Wrong-Passw0rd"), BAD_LOGIN)
        _says(await _login(signin, app, "nobody", "Wrong-Passw0rd"), BAD_LOGIN)
    # Locked: the right password, a wrong one and the unknown name all read "locked".
    _says(await _login(signin, app, "olga", "Secret-Passw0rd"), LOCKED)
    _says(await _login(signin, app, "olga", "Wrong-Passw0rd"), LOCKED)
    _says(await _login(signin, app, "nobody", "Wrong-Passw0rd"), LOCKED)
    user = await signin.admin.call("GET", f"/t/default/scim2/Users/{olga}")
    assert is_locked(user.json())
    for client in signin.browsers:
        await client.aclose()


async def test_page_and_grant_share_one_count(make_app: AppFactory) -> None:
    signin, app = await _signin(make_app)
    org = await open_org(signin.admin.http)
    await signin.admin.user("pia")
    await org.fail("pia", 3)
    for _ in range(2):
        _says(await _login(signin, app, "pia", "Wrong-Passw0rd"), BAD_LOGIN)
    _says(await _login(signin, app, "pia", "Secret-Passw0rd"), LOCKED)
    assert (await org.password("pia")).status_code == 400
    for client in signin.browsers:
        await client.aclose()


async def test_busy_verification_gives_a_friendly_page(make_app: AppFactory) -> None:
    """One verification thread, no waiting room: concurrent logins past it get a 503
    page with Retry-After (bounded rounds until two logins overlap)."""
    signin, app = await _signin(make_app, password_verify_threads=1, password_verify_queue=0)
    await signin.admin.user("quinn")
    pages = []
    for _ in range(10):
        browsers: list[Browser] = [signin.browser() for _ in range(6)]
        _verifier, challenge = pkce_pair()
        forms = [await b.authorize(**code_params(app, challenge)) for b in browsers]
        pages = await asyncio.gather(
            *(b.login(f, "quinn", "Secret-Passw0rd") for b, f in zip(browsers, forms, strict=True))
        )
        if any(p.status_code == 503 for p in pages):
            break
    busy = [p for p in pages if p.status_code == 503]
    assert busy, [p.status_code for p in pages]
    assert busy[0].headers["retry-after"] == "1"
    assert BUSY in busy[0].text and 'name="password"' in busy[0].text
    assert all(p.status_code in (302, 303, 503) for p in pages)
    for client in signin.browsers:
        await client.aclose()
