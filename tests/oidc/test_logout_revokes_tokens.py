"""`accessToken.revokeTokensWhenIDPSessionTerminated`: when an SSO session ends (logout),
the access and refresh tokens issued through it to an application with the setting are
revoked; other applications' tokens and tokens of other sessions stay. Over HTTP on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.oidc.test_logout import LOGOUT
from tests.oidc.test_logout import signin  # noqa: F401 (fixture)
from tests.signin.conftest import Browser
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

pytestmark = pytest.mark.storage
APPS = "/t/default/api/server/v1/applications"
TOKEN = "/t/default/oauth2/token"
SETTING = "revokeTokensWhenIDPSessionTerminated"


async def web_app(ctx: Signin, name: str, *, revoke: bool) -> dict[str, Any]:
    app = await ctx.app_with_code(
        name, skip_consent=True, grants=["authorization_code", "refresh_token"]
    )
    oidc = f"{APPS}/{app['id']}/inbound-protocols/oidc"
    config = (await ctx.admin.call("GET", oidc)).json()
    assert config["accessToken"][SETTING] is False  # Asgardeo's default
    config["accessToken"][SETTING] = revoke
    put = await ctx.admin.call("PUT", oidc, json=config)
    assert put.status_code == 200, put.text
    assert (await ctx.admin.call("GET", oidc)).json()["accessToken"][SETTING] is revoke
    return app


async def tokens(ctx: Signin, browser: Browser, app: dict[str, Any], user: str) -> Any:
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    if 'name="password"' in page.text:
        page = await browser.login(page, user)
    answer = await ctx.exchange(app, query_of(page)["code"], verifier)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def active(ctx: Signin, app: dict[str, Any], token: str) -> bool:
    return bool((await ctx.introspect(app, token))["active"])


async def refreshed(ctx: Signin, app: dict[str, Any], token: str) -> Any:
    return await ctx.admin.http.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": token},
        auth=(app["clientId"], app["clientSecret"]),
    )


async def test_logout_revokes_the_sessions_tokens_of_applications_that_ask(
    signin: Signin,  # noqa: F811
) -> None:
    strict = await web_app(signin, "revoke-on-logout", revoke=True)
    relaxed = await web_app(signin, "keep-on-logout", revoke=False)
    await signin.admin.user("rita")
    browser, other_browser = signin.browser(), signin.browser()
    first = await tokens(signin, browser, strict, "rita")
    kept = await tokens(signin, browser, relaxed, "rita")  # same session (SSO)
    # A token refreshed from the session's grant belongs to the session too.
    renewed = await refreshed(signin, strict, first["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    second = renewed.json()
    elsewhere = await tokens(signin, other_browser, strict, "rita")  # another session

    answer = await browser.http.get(LOGOUT, params={"id_token_hint": first["id_token"]})
    assert answer.status_code == 200 and "You are signed out" in answer.text

    for token in (first["access_token"], second["access_token"], second["refresh_token"]):
        assert not await active(signin, strict, token)
    again = await refreshed(signin, strict, second["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # The application without the setting keeps its tokens (Asgardeo's default).
    assert await active(signin, relaxed, kept["access_token"])
    assert (await refreshed(signin, relaxed, kept["refresh_token"])).status_code == 200
    # The other browser's session did not end: its tokens stay.
    assert await active(signin, strict, elsewhere["access_token"])
    assert await active(signin, strict, elsewhere["refresh_token"])
