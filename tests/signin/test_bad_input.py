"""Bad input at the authorization and token endpoints: each gets the RFC answer, nothing
is leaked, no session is created."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runegate.oauth.housekeeping import purge
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.models.signin import SsoSession
from tests.signin.conftest import AUTHORIZE
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import hidden_form
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of


def assert_page(response: httpx.Response, status: int, text: str) -> None:
    """An HTML error page: never a redirect, no session cookie."""
    assert response.status_code == status, response.text
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert text in response.text, response.text
    assert "runegate_session" not in response.headers.get("set-cookie", "")


def assert_invalid_grant(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "The authorization code is invalid, expired or already used.",
    }


async def sessions(signin: Signin) -> int:
    async with signin.app.state.runegate.db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(SsoSession)) or 0)


async def test_errors_before_the_redirect_uri_is_verified(signin: Signin) -> None:
    app = await signin.app_with_code("web")
    _verifier, challenge = pkce_pair()
    browser = signin.browser()
    base = code_params(app, challenge)
    cases: list[tuple[dict[str, Any], str]] = [
        ({**base, "client_id": "nope"}, "unknown"),
        ({k: v for k, v in base.items() if k != "client_id"}, "client_id"),
        ({**base, "redirect_uri": "https://evil.example/callback"}, "not registered"),
        ({**base, "redirect_uri": CALLBACK + "/extra"}, "not registered"),
        ({**base, "state": "x" * 5000}, "too long"),
        ({**base, "state": "a\x00b"}, "control characters"),
    ]
    for params, text in cases:
        assert_page(await browser.authorize(**params), 400, text)
    repeated = await browser.http.get(
        f"{AUTHORIZE}?client_id={app['clientId']}&client_id=other&response_type=code"
    )
    assert_page(repeated, 400, "repeated")
    malformed = await browser.http.get(f"{AUTHORIZE}?client_id=%ff%fe&response_type=code")
    assert_page(malformed, 400, "malformed")
    json_post = await browser.http.post(AUTHORIZE, json=base)
    assert_page(json_post, 400, "x-www-form-urlencoded")
    # POST with a form works like GET (OIDC Core §3.1.2.1).
    posted = await browser.http.post(AUTHORIZE, data=base)
    assert posted.status_code == 200 and 'name="password"' in posted.text
    assert await sessions(signin) == 0


async def test_errors_after_the_redirect_uri_is_verified(signin: Signin) -> None:
    confidential = await signin.app_with_code("web")
    public = await signin.app_with_code("spa", public=True)
    strict = await signin.app_with_code("strict", pkce={"mandatory": True})
    _verifier, challenge = pkce_pair()
    browser = signin.browser()
    cases: list[tuple[dict[str, Any], dict[str, str], str]] = [
        (confidential, {"response_type": "token"}, "unsupported_response_type"),
        (confidential, {"scope": "openid bad\\scope"}, "invalid_scope"),
        (confidential, {"prompt": "none login"}, "invalid_request"),
        (confidential, {"max_age": "-1"}, "invalid_request"),
        (confidential, {"request": "eyJ.x.y"}, "invalid_request"),
        (confidential, {"response_mode": "fragment"}, "invalid_request"),
        (confidential, {"code_challenge_method": "plain"}, "invalid_request"),
        (confidential, {"code_challenge": "short"}, "invalid_request"),
        (public, {"code_challenge": ""}, "invalid_request"),
        (strict, {"code_challenge": ""}, "invalid_request"),
    ]
    for app, extra, error in cases:
        answer = query_of(await browser.authorize(**code_params(app, challenge, **extra)))
        assert answer["error"] == error, (extra, answer)
        assert answer["state"] == "st-123" and "code" not in answer
    assert await sessions(signin) == 0


async def test_plain_pkce_only_when_allowed(signin: Signin) -> None:
    app = await signin.app_with_code(
        "legacy",
        skip_consent=True,
        pkce={"mandatory": True, "supportPlainTransformAlgorithm": True},
    )
    await signin.admin.user("pat")
    browser = signin.browser()
    verifier = "p" * 50
    params = code_params(app, verifier, code_challenge_method="plain")
    code = query_of(await browser.login(await browser.authorize(**params), "pat"))["code"]
    assert (await signin.exchange(app, code, verifier)).status_code == 200


async def test_code_binding_pkce_replay_and_expiry(signin: Signin) -> None:
    app = await signin.app_with_code("web")
    other = await signin.app_with_code("other")
    await signin.admin.user("frank")
    browser = signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    code = query_of(await browser.approve(await browser.login(page, "frank")))["code"]
    assert_invalid_grant(await signin.exchange(app, code, None))
    assert_invalid_grant(await signin.exchange(app, code, pkce_pair()[0]))
    assert_invalid_grant(await signin.exchange(other, code, verifier))
    wrong_uri = await signin.exchange(app, code, verifier, redirect_uri=CALLBACK + "?x=1")
    assert_invalid_grant(wrong_uri)
    assert_invalid_grant(await signin.exchange(app, "not-a-code", verifier))
    first = await signin.exchange(app, code, verifier)
    assert first.status_code == 200, first.text
    access_token = first.json()["access_token"]
    assert (await signin.introspect(app, access_token))["active"] is True
    # RFC 6749 §4.1.2: the replay is refused and revokes what the code issued.
    assert_invalid_grant(await signin.exchange(app, code, verifier))
    assert (await signin.introspect(app, access_token)) == {"active": False}
    # An expired code (60 s at most) is refused.
    again = query_of(await browser.authorize(**code_params(app, challenge)))["code"]
    async with signin.app.state.runegate.db.write() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(AuthorizationCode).values(expires_at=past))
    assert_invalid_grant(await signin.exchange(app, again, verifier))


async def test_code_lives_at_most_sixty_seconds(signin: Signin) -> None:
    app = await signin.app_with_code("web", skip_consent=True)
    await signin.admin.user("gina")
    browser = signin.browser()
    _verifier, challenge = pkce_pair()
    await browser.login(await browser.authorize(**code_params(app, challenge)), "gina")
    async with signin.app.state.runegate.db.read() as session:
        row = (await session.execute(select(AuthorizationCode))).scalar_one()
    assert row.code_hash and len(row.code_hash) == 64  # a keyed hash, not the code
    expires = (
        row.expires_at.replace(tzinfo=UTC) if row.expires_at.tzinfo is None else row.expires_at
    )
    assert expires - datetime.now(UTC) <= timedelta(seconds=60)
    # Housekeeping deletes expired sessions and (an hour after expiry) codes.
    state = signin.app.state.runegate
    assert (await purge(state.db)).signin == 0
    async with state.db.write() as session:
        past = datetime.now(UTC) - timedelta(hours=2)
        await session.execute(update(AuthorizationCode).values(expires_at=past))
        await session.execute(update(SsoSession).values(expires_at=past))
    assert (await purge(state.db)).signin == 2
    assert await sessions(signin) == 0


async def test_forms_without_csrf_token_create_no_session(signin: Signin) -> None:
    app = await signin.app_with_code("web")
    await signin.admin.user("hank")
    browser = signin.browser()
    _verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    action, fields = hidden_form(page.text)
    login = {"username": "hank", "password": "Secret-Passw0rd"}
    no_token = {**fields, **login, "csrf_token": ""}
    assert_page(await browser.http.post(action, data=no_token), 403, "expired")
    forged = {**fields, **login, "csrf_token": "0" * 64}
    assert_page(await browser.http.post(action, data=forged), 403, "expired")
    tampered = {**fields, **login, "request": fields["request"][:-2] + "AA"}
    assert_page(await browser.http.post(action, data=tampered), 400, "expired")
    # Another browser (no CSRF cookie) replaying the form is refused too.
    stranger = signin.browser()
    assert_page(await stranger.http.post(action, data={**fields, **login}), 403, "expired")
    assert await sessions(signin) == 0
    consent = await browser.login(page, "hank")
    action, fields = hidden_form(consent.text)
    refused = await browser.http.post(
        action, data={**fields, "csrf_token": "", "decision": "approve"}
    )
    assert_page(refused, 403, "expired")
    denied = query_of(await browser.submit(consent, decision="deny"))
    assert denied["error"] == "access_denied" and denied["state"] == "st-123"


async def test_wrong_credentials_get_one_generic_message(signin: Signin) -> None:
    app = await signin.app_with_code("web")
    await signin.admin.user("ivan")
    browser = signin.browser()
    _verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    wrong = await browser.login(page, "ivan", "Wrong-Passw0rd")
    unknown = await browser.login(page, "nobody", "Wrong-Passw0rd")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "The username or password is incorrect." in response.text
        assert "runegate_session" not in response.headers.get("set-cookie", "")
    alerts = [re.findall(r'role="alert"[^>]*>([^<]*)<', r.text) for r in (wrong, unknown)]
    assert alerts[0] == alerts[1] == ["The username or password is incorrect."]
    assert await sessions(signin) == 0
