"""Revocation follows the user and the application (issue 9 item 5), over HTTP on SQLite
and PostgreSQL: disabling or deleting a user and every kind of password change end the
user's SSO sessions and revoke their access and refresh tokens; deleting an application
or regenerating its secret revokes that application's tokens and no one else's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from runegate.oauth.tokens import mint_user_token
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import Admin
from tests.signin.conftest import TOKEN
from tests.signin.conftest import Browser
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

pytestmark = pytest.mark.storage
USERS = "/t/default/scim2/Users"
APPS = "/t/default/api/server/v1/applications"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
NEW_PASSWORD = "Changed-Passw0rd-7"


@pytest.fixture
async def signin(make_app: AppFactory) -> Any:
    app, http = await make_app()
    scopes = f"{ADMIN_SCOPES} internal_application_mgt_delete internal_user_mgt_delete"
    ctx = Signin(app, Admin(http, bearer(await get_token(http, scopes))))
    yield ctx
    for client in ctx.browsers:
        await client.aclose()


@dataclass
class SignedIn:
    """A browser with an SSO session and the tokens of one code-flow sign-in."""

    browser: Browser
    app: dict[str, Any]
    tokens: dict[str, Any]


async def web_app(signin: Signin, name: str) -> dict[str, Any]:
    return await signin.app_with_code(
        name, grants=["authorization_code", "refresh_token"], skip_consent=True
    )


async def sign_in(
    signin: Signin, app: dict[str, Any], user: str, browser: Browser | None = None
) -> SignedIn:
    browser = browser or signin.browser()
    verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(app, challenge))
    if 'name="password"' in page.text:
        page = await browser.login(page, user)
    code = query_of(page)["code"]
    exchanged = await signin.exchange(app, code, verifier)
    assert exchanged.status_code == 200, exchanged.text
    return SignedIn(browser, app, dict(exchanged.json()))


async def session_alive(signed: SignedIn) -> bool:
    """prompt=none answers a code only while the browser's SSO session lives."""
    answer = await signed.browser.authorize(
        **code_params(signed.app, pkce_pair()[1], prompt="none")
    )
    query = query_of(answer)
    assert "code" in query or query["error"] == "login_required", query
    return "code" in query


async def active(signin: Signin, signed: SignedIn, kind: str) -> bool:
    return bool((await signin.introspect(signed.app, signed.tokens[kind]))["active"])


async def refresh_status(signin: Signin, signed: SignedIn) -> int:
    answer = await signin.admin.http.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": signed.tokens["refresh_token"]},
        headers=basic_auth(signed.app["clientId"], signed.app["clientSecret"]),
    )
    if answer.status_code != 200:
        assert answer.json()["error"] == "invalid_grant", answer.text
    return answer.status_code


async def assert_ended(signin: Signin, signed: SignedIn) -> None:
    assert not await active(signin, signed, "access_token")
    assert not await active(signin, signed, "refresh_token")
    assert await refresh_status(signin, signed) == 400


async def assert_untouched(signin: Signin, signed: SignedIn) -> None:
    assert await session_alive(signed)
    assert await active(signin, signed, "access_token")
    assert await active(signin, signed, "refresh_token")


async def user_id(signin: Signin, name: str) -> str:
    return await signin.admin.user(name)


async def scim_patch(signin: Signin, uid: str, path: str, value: Any) -> None:
    body = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": path, "value": value}]}
    answer = await signin.admin.call("PATCH", f"{USERS}/{uid}", json=body)
    assert answer.status_code == 200, answer.text


async def test_disabling_a_user_ends_sessions_and_tokens(signin: Signin) -> None:
    app = await web_app(signin, "disable-web")
    uid = await user_id(signin, "dina")
    await user_id(signin, "bystander")
    signed = await sign_in(signin, app, "dina")
    other = await sign_in(signin, app, "bystander")
    assert await session_alive(signed)
    await scim_patch(signin, uid, "active", False)
    await assert_ended(signin, signed)
    # Ended, not merely ignored: enabling the user again does not bring the session back.
    await scim_patch(signin, uid, "active", True)
    assert not await session_alive(signed)
    await assert_untouched(signin, other)


async def test_deleting_a_user_ends_sessions_and_tokens(signin: Signin) -> None:
    app = await web_app(signin, "delete-web")
    uid = await user_id(signin, "della")
    signed = await sign_in(signin, app, "della")
    deleted = await signin.admin.call("DELETE", f"{USERS}/{uid}")
    assert deleted.status_code == 204, deleted.text
    await assert_ended(signin, signed)
    assert not await session_alive(signed)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_an_admin_password_change_ends_sessions_and_tokens(
    signin: Signin, method: str
) -> None:
    app = await web_app(signin, f"password-{method.lower()}")
    uid = await user_id(signin, "pia")
    signed = await sign_in(signin, app, "pia")
    if method == "PATCH":
        await scim_patch(signin, uid, "password", NEW_PASSWORD)
    else:
        body = {"schemas": [USER_SCHEMA], "userName": "pia", "password": NEW_PASSWORD}
        put = await signin.admin.call("PUT", f"{USERS}/{uid}", json=body)
        assert put.status_code == 200, put.text
    await assert_ended(signin, signed)
    assert not await session_alive(signed)


async def test_own_password_change_through_me_ends_every_other_session(signin: Signin) -> None:
    app = await web_app(signin, "me-web")
    uid = await user_id(signin, "mona")
    signed = await sign_in(signin, app, "mona")
    state = signin.app.state.runegate
    tenant = await state.find_tenant("default")
    own = await mint_user_token(
        state, tenant, client_id=BOOT_CLIENT_ID, user_id=uid, scopes=["internal_login"]
    )
    body = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "password", "value": NEW_PASSWORD}],
    }
    changed = await signin.admin.http.patch("/t/default/scim2/Me", json=body, headers=bearer(own))
    assert changed.status_code == 200, changed.text
    await assert_ended(signin, signed)
    assert not await session_alive(signed)
    # The token making the change keeps working (its grant is kept).
    me = await signin.admin.http.get("/t/default/scim2/Me", headers=bearer(own))
    assert me.status_code == 200, me.text


async def test_a_profile_change_ends_nothing(signin: Signin) -> None:
    app = await web_app(signin, "profile-web")
    uid = await user_id(signin, "quiet")
    signed = await sign_in(signin, app, "quiet")
    await scim_patch(signin, uid, "displayName", "Still Here")
    await assert_untouched(signin, signed)


async def test_deleting_an_application_revokes_its_tokens_only(signin: Signin) -> None:
    doomed = await web_app(signin, "doomed-web")
    kept = await web_app(signin, "kept-web")
    await user_id(signin, "ann")
    signed = await sign_in(signin, doomed, "ann")
    other = await sign_in(signin, kept, "ann", browser=signed.browser)
    deleted = await signin.admin.call("DELETE", f"{APPS}/{doomed['id']}")
    assert deleted.status_code == 204, deleted.text
    for kind in ("access_token", "refresh_token"):
        assert not (await signin.introspect(kept, signed.tokens[kind]))["active"]
    # The user's SSO session belongs to the user: the other application still signs in.
    await assert_untouched(signin, other)


async def test_regenerating_a_secret_revokes_the_applications_tokens(signin: Signin) -> None:
    app = await web_app(signin, "regen-web")
    other_app = await web_app(signin, "regen-other")
    await user_id(signin, "reg")
    signed = await sign_in(signin, app, "reg")
    other = await sign_in(signin, other_app, "reg", browser=signed.browser)
    url = f"{APPS}/{app['id']}/inbound-protocols/oidc/regenerate-secret"
    regenerated = await signin.admin.call("POST", url)
    assert regenerated.status_code == 200, regenerated.text
    renewed = SignedIn(
        signed.browser, {**app, "clientSecret": regenerated.json()["clientSecret"]}, signed.tokens
    )
    await assert_ended(signin, renewed)
    await assert_untouched(signin, other)
