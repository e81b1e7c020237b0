"""RP-initiated logout (OIDC RP-Initiated Logout 1.0) over HTTP on SQLite and PostgreSQL:
id_token_hint (expired accepted; tampered, foreign or another organization's refused),
client_id, registered post_logout_redirect_uri only (exact or regexp=), state, the
confirmation page with CSRF, the SSO session ended and its cookie cleared."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import httpx
import pytest

from runegate.oauth.service import server_of
from runegate.tenancy.service import provision_org
from tests.conftest import BASE_URL
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Browser
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import hidden_form
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

pytestmark = pytest.mark.storage
LOGOUT = "/t/default/oidc/logout"
LANDING = "https://app.example/signed-out"


@pytest.fixture
async def signin(make_app: AppFactory) -> AsyncIterator[Signin]:
    app, http = await make_app()
    ctx = Signin(app, Admin(http, bearer(await get_token(http, ADMIN_SCOPES))))
    yield ctx
    for client in ctx.browsers:
        await client.aclose()


async def web_app(signin: Signin, name: str, callbacks: list[str] | None = None) -> dict[str, Any]:
    return await signin.app_with_code(
        name, skip_consent=True, callbacks=callbacks or [CALLBACK, LANDING]
    )


async def signed_in(signin: Signin, app: dict[str, Any], user: str) -> tuple[Browser, str]:
    """A browser with an SSO session, and the ID token of its sign-in."""
    await signin.admin.user(user)
    browser = signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge, redirect_uri=CALLBACK))
    code = query_of(await browser.login(page, user))["code"]
    tokens = await signin.exchange(app, code, verifier)
    assert tokens.status_code == 200, tokens.text
    return browser, str(tokens.json()["id_token"])


async def session_alive(browser: Browser, app: dict[str, Any]) -> bool:
    answer = await browser.authorize(**code_params(app, pkce_pair()[1], prompt="none"))
    return "code" in query_of(answer)


def cleared(response: httpx.Response) -> bool:
    cookies = response.headers.get_list("set-cookie")
    return any(c.startswith("runegate_session=") and "Max-Age=0" in c for c in cookies)


def refused(response: httpx.Response, text: str) -> None:
    assert response.status_code == 400, response.text
    assert "location" not in response.headers
    assert text in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_discovery_advertises_logout(signin: Signin) -> None:
    doc = (
        await signin.admin.http.get("/t/default/oauth2/token/.well-known/openid-configuration")
    ).json()
    assert doc["end_session_endpoint"] == f"{BASE_URL}{LOGOUT}"
    assert doc["backchannel_logout_supported"] is True
    assert doc["backchannel_logout_session_supported"] is True


async def test_hint_logs_out_at_once_and_redirects_with_state(signin: Signin) -> None:
    app = await web_app(signin, "hinted")
    browser, id_token = await signed_in(signin, app, "hana")
    assert await session_alive(browser, app)
    answer = await browser.http.get(
        LOGOUT,
        params={
            "id_token_hint": id_token,
            "post_logout_redirect_uri": LANDING,
            "state": "bye-1",
        },
    )
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"] == f"{LANDING}?state=bye-1"
    assert cleared(answer)
    assert not await session_alive(browser, app)


async def test_post_form_and_an_expired_hint(signin: Signin) -> None:
    app = await web_app(signin, "expired-hint")
    browser, id_token = await signed_in(signin, app, "esme")
    state = signin.app.state.runegate
    tenant = await state.find_tenant("default")
    assert tenant is not None
    sub = _claims(id_token)["sub"]
    now = int(time.time())
    old = {"iss": tenant.issuer, "aud": app["clientId"], "sub": sub, "iat": now - 7200}
    old["exp"] = now - 3600  # RP-Initiated Logout §2: an expired hint is still a hint
    expired = await server_of(state).keys.sign(tenant, "RS256", old, "JWT")
    answer = await browser.http.post(
        LOGOUT, data={"id_token_hint": expired, "post_logout_redirect_uri": LANDING}
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == LANDING
    assert not await session_alive(browser, app)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_bad_hints_are_refused_and_nothing_ends(signin: Signin) -> None:
    app = await web_app(signin, "bad-hints")
    browser, id_token = await signed_in(signin, app, "tess")
    header, payload, signature = id_token.split(".")
    tampered_payload = payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB")
    state = signin.app.state.runegate
    async with state.db.write() as session:
        other = (await provision_org(session, "elsewhere", base_url=BASE_URL)).tenant
    claims = _claims(id_token)
    foreign_org = await server_of(state).keys.sign(other, "RS256", claims, "JWT")
    tenant = await state.find_tenant("default")
    assert tenant is not None
    wrong_issuer = await server_of(state).keys.sign(
        tenant, "RS256", {**claims, "iss": other.issuer}, "JWT"
    )
    for hint in (
        f"{header}.{tampered_payload}.{signature}",  # tampered claims
        f"{header}.{payload}.{signature[:-6]}AAAAAA",  # tampered signature
        foreign_org,  # signed by another organization's key
        wrong_issuer,  # right key, another issuer
        "not-a-jwt",
    ):
        answer = await browser.http.get(
            LOGOUT, params={"id_token_hint": hint, "post_logout_redirect_uri": LANDING}
        )
        refused(answer, "The id_token_hint is invalid.")
        assert sub_not_leaked(answer, claims["sub"])
    assert await session_alive(browser, app)


def sub_not_leaked(response: httpx.Response, sub: str) -> bool:
    return sub not in response.text


async def test_unregistered_redirects_and_unknown_clients_are_refused(signin: Signin) -> None:
    app = await web_app(signin, "strict")
    other = await web_app(signin, "other-app", callbacks=["https://other.example/bye"])
    browser, id_token = await signed_in(signin, app, "ulla")
    cases = [
        (
            {"client_id": app["clientId"], "post_logout_redirect_uri": "https://evil.example/"},
            "is not registered",
        ),
        (
            {"id_token_hint": id_token, "post_logout_redirect_uri": f"{LANDING}/x"},
            "is not registered",
        ),
        # Registered for another application only.
        (
            {"client_id": app["clientId"], "post_logout_redirect_uri": "https://other.example/bye"},
            "is not registered",
        ),
        (
            {"client_id": "no-such-client", "post_logout_redirect_uri": LANDING},
            "unknown or disabled",
        ),
        ({"post_logout_redirect_uri": LANDING}, "needs client_id or id_token_hint"),
        ({"id_token_hint": id_token, "client_id": other["clientId"]}, "does not match"),
    ]
    for params, text in cases:
        refused(await browser.http.get(LOGOUT, params=params), text)
    repeated = await browser.http.get(f"{LOGOUT}?state=a&state=b")
    refused(repeated, "repeated")
    assert await session_alive(browser, app)


async def test_regexp_callbacks_match_as_for_authorize(signin: Signin) -> None:
    app = await signin.app_with_code(
        "regexp-app",
        skip_consent=True,
        callbacks=[r"regexp=https://app\.example/(callback|bye/\d+)"],
    )
    http = signin.browser().http
    ok = await http.get(
        LOGOUT,
        params={
            "client_id": app["clientId"],
            "post_logout_redirect_uri": "https://app.example/bye/42",
        },
    )
    # No session: nothing to confirm, straight to the registered URI.
    assert ok.status_code == 302 and ok.headers["location"] == "https://app.example/bye/42"
    bad = await http.get(
        LOGOUT,
        params={
            "client_id": app["clientId"],
            "post_logout_redirect_uri": "https://app.example/bye/x",
        },
    )
    refused(bad, "is not registered")


async def test_without_a_hint_the_user_confirms(signin: Signin) -> None:
    app = await web_app(signin, "confirming")
    browser, _id_token = await signed_in(signin, app, "cora")
    params = {"client_id": app["clientId"], "post_logout_redirect_uri": LANDING, "state": "s-9"}
    page = await browser.http.get(LOGOUT, params=params)
    assert page.status_code == 200, page.text
    assert "Sign out?" in page.text and "cora" in page.text
    assert "form-action 'self' https://app.example" in page.headers["content-security-policy"]
    assert await session_alive(browser, app)  # asking ended nothing
    action, hidden = hidden_form(page.text)
    # A forged post (no CSRF token) is refused and ends nothing.
    forged = await browser.http.post(
        action, data={"request": hidden["request"], "decision": "logout"}
    )
    assert forged.status_code == 403 and "location" not in forged.headers
    tampered = await browser.http.post(
        action, data={**hidden, "request": hidden["request"][:-2] + "xx", "decision": "logout"}
    )
    assert tampered.status_code == 400 and "location" not in tampered.headers
    stay = await browser.http.post(action, data={**hidden, "decision": "stay"})
    assert stay.status_code == 200 and "still signed in" in stay.text
    assert await session_alive(browser, app)
    done = await browser.http.post(action, data={**hidden, "decision": "logout"})
    assert done.status_code == 303, done.text
    location = urlsplit(done.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == LANDING
    assert parse_qs(location.query) == {"state": ["s-9"]}
    assert cleared(done)
    assert not await session_alive(browser, app)


async def test_logout_without_anything_shows_a_page(signin: Signin) -> None:
    app = await web_app(signin, "plain")
    browser, _ = await signed_in(signin, app, "pam")
    page = await browser.http.get(LOGOUT)
    assert page.status_code == 200 and "Sign out?" in page.text
    action, hidden = hidden_form(page.text)
    done = await browser.http.post(action, data={**hidden, "decision": "logout"})
    assert done.status_code == 200 and "You are signed out" in done.text
    assert cleared(done)
    assert not await session_alive(browser, app)
    again = await browser.http.get(LOGOUT)  # no session: nothing to confirm
    assert again.status_code == 200 and "You are signed out" in again.text
