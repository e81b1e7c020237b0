"""RP-initiated logout at the root (`/t/{root}/oidc/logout`) also ends the browser's
sub-organization SSO sessions (`fidp=OrganizationSSO`, one cookie per organization),
with their back-channel logout; over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import AppFactory
from tests.oidc.test_backchannel_logout import Receiver
from tests.oidc.test_backchannel_logout import eventually
from tests.oidc.test_backchannel_logout import receiver  # noqa: F401 (fixture)
from tests.oidc.test_logout import LOGOUT
from tests.organizations.test_org_signin import ADMIN_PASSWORD
from tests.organizations.test_org_signin import ADMIN_USER
from tests.organizations.test_org_signin import SCOPE
from tests.organizations.test_org_signin import SSO
from tests.organizations.test_org_signin import Setup
from tests.organizations.test_org_signin import claims_of
from tests.organizations.test_org_signin import setup
from tests.organizations.test_org_signin import sign_in
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Browser
from tests.signin.conftest import code_params
from tests.signin.conftest import hidden_form
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

APPS = "/t/default/api/server/v1/applications"


async def org_sign_in(s: Setup, browser: Browser, user: str, org: dict[str, Any]) -> str:
    """`user` signs in to `org` in `browser`; returns the ID token."""
    answer, verifier = await sign_in(s, browser, user, fidp=SSO, orgId=org["id"])
    tokens = await s.exchange(query_of(answer)["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    return str(tokens.json()["id_token"])


async def signed_in_to(s: Setup, browser: Browser, org: dict[str, Any] | None) -> bool:
    """The browser's session answers a prompt=none request (root or organization)."""
    extra = {"fidp": SSO, "orgId": org["id"]} if org else {}
    params = code_params(s.app, pkce_pair()[1], scope=SCOPE, prompt="none", **extra)
    return "code" in query_of(await browser.authorize(**params))


def cleared(response: httpx.Response) -> set[str]:
    """Names of the cookies the answer deletes."""
    return {c.split("=", 1)[0] for c in response.headers.get_list("set-cookie") if "Max-Age=0" in c}


def org_cookie(org: dict[str, Any]) -> str:
    return "runegate_session_" + org["id"].replace("-", "")


async def test_logout_at_the_root_ends_the_organization_session(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    await s.add_user(s.other["id"], "olga")
    browser, bystander = s.browser(), s.browser()
    id_token = await org_sign_in(s, browser, "alice", s.customer)
    await org_sign_in(s, bystander, "olga", s.other)
    assert await signed_in_to(s, browser, s.customer)
    answer = await browser.http.get(
        LOGOUT,
        params={"id_token_hint": id_token, "post_logout_redirect_uri": CALLBACK, "state": "b"},
    )
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"] == f"{CALLBACK}?state=b"
    assert {org_cookie(s.customer), "runegate_session"} <= cleared(answer)
    # Signed out: the shared application does not silently sign alice in again.
    assert not await signed_in_to(s, browser, s.customer)
    _v, challenge = pkce_pair()
    page = await browser.authorize(
        **code_params(s.app, challenge, scope=SCOPE, fidp=SSO, orgId=s.customer["id"])
    )
    assert page.status_code == 200 and 'name="password"' in page.text
    # Another browser's session (another organization) is untouched.
    assert await signed_in_to(s, bystander, s.other)


async def test_root_and_organization_sessions_end_together_after_confirmation(
    make_app: AppFactory,
) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    browser = s.browser()
    alice_token = await org_sign_in(s, browser, "alice", s.customer)
    answer, verifier = await sign_in(s, browser, ADMIN_USER, ADMIN_PASSWORD)
    assert (await s.exchange(query_of(answer)["code"], verifier)).status_code == 200
    assert await signed_in_to(s, browser, None) and await signed_in_to(s, browser, s.customer)
    # alice's hint does not cover the root session of another user: confirm first.
    page = await browser.http.get(LOGOUT, params={"id_token_hint": alice_token})
    assert page.status_code == 200 and "Sign out?" in page.text
    assert await signed_in_to(s, browser, s.customer)  # nothing ended yet
    action, fields = hidden_form(page.text)
    done = await browser.http.post(action, data={**fields, "decision": "logout"})
    assert done.status_code == 200 and "You are signed out" in done.text
    assert {org_cookie(s.customer), "runegate_session"} <= cleared(done)
    assert not await signed_in_to(s, browser, None)
    assert not await signed_in_to(s, browser, s.customer)


async def test_a_forged_organization_cookie_changes_nothing(make_app: AppFactory) -> None:
    s = await setup(make_app)
    await s.add_user(s.customer["id"], "alice")
    browser, victim = s.browser(), s.browser()
    await org_sign_in(s, victim, "alice", s.customer)
    # Cookies that name organizations (or none) but carry no session of theirs.
    browser.http.cookies.set(org_cookie(s.customer), "not-a-session", path="/t/default/")
    browser.http.cookies.set("runegate_session_nothex", "x", path="/t/default/")
    answer = await browser.http.get(LOGOUT)
    assert answer.status_code == 200 and "You are signed out" in answer.text
    assert await signed_in_to(s, victim, s.customer)


async def test_organization_sessions_get_back_channel_logout(
    make_app: AppFactory,
    receiver: Receiver,  # noqa: F811
) -> None:
    s = await setup(make_app)
    oidc = f"{APPS}/{s.app['id']}/inbound-protocols/oidc"
    config = (await s.orgs.get(oidc)).json()
    config["logout"] = {"backChannelLogoutUrl": receiver.url("/bc")}
    assert (await s.orgs.put(oidc, json=config)).status_code == 200
    alice = await s.add_user(s.customer["id"], "alice")
    browser = s.browser()
    id_token = await org_sign_in(s, browser, "alice", s.customer)
    answer = await browser.http.get(LOGOUT, params={"id_token_hint": id_token})
    assert answer.status_code == 200 and "You are signed out" in answer.text
    await eventually(lambda: receiver.posts("/bc"))
    logout = claims_of(receiver.posts("/bc")[0]["logout_token"][0])
    assert logout["sub"] == alice and logout["aud"] == s.app["clientId"]
    assert logout["sid"] == claims_of(id_token)["sid"]
