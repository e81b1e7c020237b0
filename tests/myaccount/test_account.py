"""`/api/users/v1/me`: change-password, sessions and authorized (consented) apps, with
their error answers, and two organizations kept apart."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from runegate.oauth.tokens import mint_user_token
from runegate.storage.db import Database
from runegate.storage.models.mfa import UserBackupCode
from runegate.storage.models.mfa import UserTotp
from runegate.storage.models.user import User
from runegate.storage.repositories.mfa import BackupCodeRepository
from runegate.storage.repositories.mfa import TotpRepository
from runegate.storage.repositories.signin import ConsentRepository
from runegate.storage.repositories.signin import SsoSessionRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.service import provision_org
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import bearer
from tests.myaccount.conftest import PASSWORD
from tests.myaccount.conftest import MyAccount
from tests.signin.conftest import Browser
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair

NEW = "Another-Passw0rd"


async def _signed_in_browser(my: MyAccount, user: str) -> Browser:
    browser, code = await my.browser_sign_in(user)
    assert code
    return browser


async def test_change_password_ends_other_sessions_and_tokens(my: MyAccount) -> None:
    await my.admin.user("pat")
    mine = await my.user_headers("pat")
    other = await my.user_headers("pat")
    await _signed_in_browser(my, "pat")
    listed = (await my.call("GET", "/sessions", mine)).json()
    assert len(listed["sessions"]) == 1

    wrong = await my.call(
        "POST", "/change-password", mine, json={"currentPassword": "nope", "newPassword": NEW}
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "PWD-10001"
    weak = await my.call(
        "POST", "/change-password", mine, json={"currentPassword": PASSWORD, "newPassword": "short"}
    )
    assert weak.status_code == 400 and weak.json()["code"] == "PWD-10003"
    assert "8 characters" in weak.json()["description"]
    for body in ({"currentPassword": PASSWORD}, {"currentPassword": 1, "newPassword": NEW}):
        bad = await my.call("POST", "/change-password", mine, json=body)
        assert bad.status_code == 400 and bad.json()["code"] == "RG-40000"

    done = await my.call(
        "POST", "/change-password", mine, json={"currentPassword": PASSWORD, "newPassword": NEW}
    )
    assert done.status_code == 204, done.text
    # The caller's own token still works; the user's other token and sessions end.
    assert (await my.call("GET", "/sessions", mine)).json()["sessions"] == []
    assert (await my.call("GET", "/sessions", other)).status_code == 401
    assert (await my.token("pat")).status_code == 400
    assert (await my.token("pat", password=NEW)).status_code == 200


async def test_sessions_list_and_end(my: MyAccount) -> None:
    await my.admin.user("sam")
    headers = await my.user_headers("sam")
    first = await _signed_in_browser(my, "sam")
    await _signed_in_browser(my, "sam")
    body = (await my.call("GET", "/sessions", headers)).json()
    assert len(body["sessions"]) == 2 and body["userId"]
    one = body["sessions"][0]
    assert one["applications"][0]["appName"] == "portal"
    assert one["applications"][0]["appId"] == my.client["clientId"]
    assert (one["userAgent"] and one["ip"] is None) or isinstance(one["ip"], str)
    assert int(one["loginTime"]) > 0 and int(one["lastAccessTime"]) >= int(one["loginTime"])
    assert (await my.call("DELETE", "/sessions/unknown", headers)).status_code == 404
    ended = await my.call("DELETE", f"/sessions/{one['id']}", headers)
    assert ended.status_code == 204
    left = (await my.call("GET", "/sessions", headers)).json()["sessions"]
    assert [s["id"] for s in left] != [one["id"]] and len(left) == 1
    # Another user cannot end sam's session.
    await my.admin.user("eve")
    eve = await my.user_headers("eve")
    assert (await my.call("DELETE", f"/sessions/{left[0]['id']}", eve)).status_code == 404
    assert (await my.call("DELETE", "/sessions", headers)).status_code == 204
    assert (await my.call("GET", "/sessions", headers)).json()["sessions"] == []
    # An ended session no longer signs the browser in: the login page is shown again.
    _verifier, challenge = pkce_pair()
    page = await first.authorize(**code_params(my.client, challenge))
    assert 'name="password"' in page.text


async def test_authorized_apps_list_and_revoke(my: MyAccount) -> None:
    user_id = await my.admin.user("ann")
    portal = await my.user_headers("ann")  # a token of the application consented to
    state = my.signin.app.state.runegate
    tenant = await state.find_tenant("default")
    other_app = bearer(
        await mint_user_token(
            state, tenant, client_id=BOOT_CLIENT_ID, user_id=user_id, scopes=["internal_login"]
        )
    )
    assert (await my.call("GET", "/authorized-apps", portal)).json() == []
    browser, _code = await my.browser_sign_in("ann")
    apps = (await my.call("GET", "/authorized-apps", other_app)).json()
    assert [a["name"] for a in apps] == ["portal"]
    assert apps[0]["clientId"] == my.client["clientId"] and "openid" in apps[0]["scopes"]
    assert apps[0]["updatedAt"].endswith("Z")
    assert (await my.call("DELETE", "/authorized-apps/nope", other_app)).status_code == 404
    revoked = await my.call("DELETE", f"/authorized-apps/{apps[0]['id']}", other_app)
    assert revoked.status_code == 204
    assert (await my.call("GET", "/authorized-apps", other_app)).json() == []
    # The user's tokens of that application end; other applications' tokens do not.
    assert (await my.call("GET", "/authorized-apps", portal)).status_code == 401
    # Consent is asked again at the next sign-in.
    _verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(my.client, challenge))
    assert 'value="approve"' in page.text


async def test_a_token_of_one_organization_is_refused_by_another(my: MyAccount) -> None:
    await my.admin.user("zoe")
    headers = await my.user_headers("zoe")
    state = my.signin.app.state.runegate
    async with state.db.write() as session:
        await provision_org(session, "other", base_url="http://testserver")
    state.caches.changed()
    for path in ("/totp", "/sessions", "/backup-codes"):
        response = await my.http.get(f"/t/other/api/users/v1/me{path}", headers=headers)
        assert response.status_code == 401, response.text


async def test_second_factor_rows_are_isolated(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.write() as s:
        a = (await provision_org(s, "org-a", base_url="http://x")).tenant
        b = (await provision_org(s, "org-b", base_url="http://x")).tenant
        user = await UserRepository(s, tenant=a).add(User(user_name="alice"))
        await TotpRepository(s, tenant=a).add(
            UserTotp(user_id=user.id, secret_encrypted="x", enrolled=True, last_step=0)
        )
        await BackupCodeRepository(s, tenant=a).add(UserBackupCode(user_id=user.id, code_hash="h"))
    async with db.write() as s:
        totp_b, codes_b = TotpRepository(s, tenant=b), BackupCodeRepository(s, tenant=b)
        assert await totp_b.of_user(user.id) is None
        assert await totp_b.is_enrolled(user.id) is False
        assert await totp_b.claim_step(user.id, 5) is False
        assert await totp_b.remove(user.id) == 0
        assert await codes_b.remaining(user.id) == 0
        assert await codes_b.use(user.id, ["h"]) is False
        assert await codes_b.remove_all(user.id) == 0
        sessions_b = SsoSessionRepository(s, tenant=b)
        assert await sessions_b.live_of_user(user.id, now - timedelta(days=1)) == []
        assert await ConsentRepository(s, tenant=b).of_user(user.id) == []
        assert await ConsentRepository(s, tenant=b).forget(user.id, "app") == 0
    async with db.read() as s:
        assert await TotpRepository(s, tenant=a).is_enrolled(user.id) is True
        assert await BackupCodeRepository(s, tenant=a).remaining(user.id) == 1
