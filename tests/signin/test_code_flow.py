"""The authorization code flow end to end over HTTP: authorize, login form, consent,
redirect with code, token exchange with PKCE; SSO, prompt, max_age, remembered and
skipped consent, form_post."""

from __future__ import annotations

from sqlalchemy import select

from runegate.storage.models.signin import SsoSession
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.oidc.conftest import left_half_hash
from tests.oidc.conftest import validate_id_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import hidden_form
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of


async def test_full_flow_with_login_consent_and_pkce(signin: Signin) -> None:
    app = await signin.app_with_code("web")
    user_id = await signin.admin.user("alice")
    browser = signin.browser()
    verifier, challenge = pkce_pair()
    params = code_params(app, challenge, login_hint="alice", nonce="n-42")
    page = await browser.authorize(**params)
    assert page.status_code == 200
    assert "<strong>default</strong>" in page.text and '<html lang="en">' in page.text
    assert 'for="username"' in page.text and 'for="password"' in page.text
    assert 'value="alice"' in page.text  # login_hint
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    # Browsers apply form-action to the redirect that follows the form (CSP 3): the
    # client's origin is allowed beside 'self', nothing else.
    assert "form-action 'self' https://app.example;" in page.headers["content-security-policy"]
    csrf_cookie = page.headers["set-cookie"]
    assert "HttpOnly" in csrf_cookie and "SameSite=lax" in csrf_cookie
    assert "Path=/t/default/" in csrf_cookie
    consent = await browser.login(page, "alice")
    assert consent.status_code == 200, consent.text
    session_cookie = consent.headers["set-cookie"]
    assert session_cookie.startswith("runegate_session=") and "HttpOnly" in session_cookie
    assert "Allow web?" in consent.text and "alice" in consent.text
    assert "form-action 'self' https://app.example;" in consent.headers["content-security-policy"]
    redirect = await browser.approve(consent)
    assert redirect.status_code == 303
    assert redirect.headers["location"].startswith(CALLBACK + "?")
    query = query_of(redirect)
    assert query["state"] == "st-123"
    token = await signin.exchange(app, query["code"], verifier)
    assert token.status_code == 200, token.text
    assert token.headers["cache-control"] == "no-store"
    body = token.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "openid"
    assert body["expires_in"] == 3600
    _header, claims = await validate_id_token(signin.admin.http, body["id_token"], app["clientId"])
    assert claims["sub"] == user_id and claims["nonce"] == "n-42"
    assert claims["at_hash"] == left_half_hash(body["access_token"])
    assert claims["sid"] and isinstance(claims["auth_time"], int)
    facts = await signin.introspect(app, body["access_token"])
    assert facts["active"] is True and facts["client_id"] == app["clientId"]
    assert facts.get("sub", user_id) == user_id


async def test_public_client_signs_in_with_pkce_only(signin: Signin) -> None:
    app = await signin.app_with_code("spa", public=True, skip_consent=True)
    await signin.admin.user("bob")
    browser = signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    redirect = await browser.login(page, "bob")  # consent skipped by the application
    code = query_of(redirect)["code"]
    assert "clientSecret" not in app
    token = await signin.exchange(app, code, verifier)
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "openid"


async def test_sso_second_app_and_remembered_consent(signin: Signin) -> None:
    first = await signin.app_with_code("first")
    second = await signin.app_with_code("second")
    skipping = await signin.app_with_code("third", skip_consent=True)
    await signin.admin.user("carol")
    browser, _code = await signin.signed_in(first, "carol")
    _verifier, challenge = pkce_pair()
    # A second application: no password asked, only its consent.
    consent = await browser.authorize(**code_params(second, challenge))
    assert consent.status_code == 200 and "Allow second?" in consent.text
    assert 'name="password"' not in consent.text
    assert "code" in query_of(await browser.approve(consent))
    # Consent remembered for the first application; skipped by the third.
    again = await browser.authorize(**code_params(first, challenge))
    assert "code" in query_of(again) and again.status_code == 302
    skipped = await browser.authorize(**code_params(skipping, challenge))
    assert "code" in query_of(skipped)
    # prompt=consent asks again even when remembered.
    asked = await browser.authorize(**code_params(first, challenge, prompt="consent"))
    assert asked.status_code == 200 and "Allow first?" in asked.text
    state = signin.app.state.runegate
    async with state.db.read() as session:
        rows = (await session.execute(select(SsoSession))).scalars().all()
    assert len(rows) == 1
    assert set(rows[0].client_ids) == {first["clientId"], second["clientId"], skipping["clientId"]}


async def test_prompt_none_login_and_max_age(signin: Signin) -> None:
    app = await signin.app_with_code("web")
    other = await signin.app_with_code("other")
    await signin.admin.user("dave")
    _verifier, challenge = pkce_pair()
    anonymous = signin.browser()
    answer = query_of(await anonymous.authorize(**code_params(app, challenge, prompt="none")))
    assert answer["error"] == "login_required" and answer["state"] == "st-123"
    assert "code" not in answer
    browser, _code = await signin.signed_in(app, "dave")
    silent = query_of(await browser.authorize(**code_params(app, challenge, prompt="none")))
    assert "code" in silent and silent["state"] == "st-123"
    needs_consent = await browser.authorize(**code_params(other, challenge, prompt="none"))
    assert query_of(needs_consent)["error"] == "consent_required"
    for forced in ({"prompt": "login"}, {"max_age": "0"}):
        page = await browser.authorize(**code_params(app, challenge, **forced))
        assert page.status_code == 200 and 'name="password"' in page.text
    relaxed = await browser.authorize(**code_params(app, challenge, max_age="3600"))
    assert "code" in query_of(relaxed)
    # Re-authentication through prompt=login gives a new session and a code.
    page = await browser.authorize(**code_params(app, challenge, prompt="login"))
    assert "code" in query_of(await browser.login(page, "dave"))


async def test_form_post_response_mode(signin: Signin) -> None:
    app = await signin.app_with_code("poster", skip_consent=True)
    await signin.admin.user("erin")
    browser = signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge, response_mode="form_post"))
    posted = await browser.login(page, "erin")
    assert posted.status_code == 200 and "location" not in posted.headers
    action, fields = hidden_form(posted.text)
    assert action == CALLBACK and fields["state"] == "st-123"
    assert "form-action https://app.example" in posted.headers["content-security-policy"]
    assert "<script nonce=" in posted.text
    token = await signin.exchange(app, fields["code"], verifier)
    assert token.status_code == 200, token.text


async def test_cookies_are_secure_when_the_public_url_is_https(make_app: AppFactory) -> None:
    app, http = await make_app(public_url="https://login.example")
    signin = Signin(app, Admin(http, bearer(await get_token(http, ADMIN_SCOPES))))
    web = await signin.app_with_code("web")
    _verifier, challenge = pkce_pair()
    page = await signin.browser().authorize(**code_params(web, challenge))
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("runegate_csrf=") and "Secure" in cookie and "HttpOnly" in cookie
    for client in signin.browsers:
        await client.aclose()


async def test_hosted_sign_ins_are_audited(signin: Signin) -> None:
    app = await signin.app_with_code("audited-web")
    user_id = await signin.admin.user("bruno")
    browser = signin.browser()
    _verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    wrong = await browser.login(page, "bruno", "Not-The-Passw0rd")
    assert wrong.status_code == 400 and 'role="alert"' in wrong.text
    consent = await browser.login(wrong, "bruno")
    assert consent.status_code == 200, consent.text
    token = await get_token(signin.admin.http, "internal_audit_log_view")
    logs = await signin.admin.http.get(
        "/t/default/api/server/v1/audit-logs?action=user.sign_in", headers=bearer(token)
    )
    assert logs.status_code == 200, logs.text
    success, failure = logs.json()["auditLogs"][:2]  # newest first
    assert success["outcome"] == "success" and success["actor"] == user_id
    assert failure["outcome"] == "failure" and failure["actor"] == "bruno"
    assert success["targetId"] == failure["targetId"] == app["clientId"]
    assert "Not-The-Passw0rd" not in logs.text
