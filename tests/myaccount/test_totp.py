"""TOTP (RFC 6238) and backup codes through `/api/users/v1/me`, and the second step they
add to every sign-in: the hosted login asks for a code, the password grant refuses."""

from __future__ import annotations

import pytest

from runegate.crypto import totp
from tests.conftest import bearer
from tests.conftest import get_token
from tests.myaccount.conftest import MyAccount
from tests.myaccount.conftest import secret_of
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of


def test_hotp_matches_the_rfc_4226_and_6238_vectors() -> None:
    # RFC 4226 Appendix D and RFC 6238 Appendix B (SHA-1, secret "12345678901234567890").
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert [totp.hotp(secret, c) for c in range(3)] == ["755224", "287082", "359152"]
    assert totp.hotp(secret, totp.current_step(59)) == "287082"  # 94287082, 6 digits
    assert totp.hotp(secret, totp.current_step(1111111109)) == "081804"
    assert totp.matching_step(secret, "081804", now=1111111109 + 30) == 37037036
    assert totp.matching_step(secret, "081804", now=1111111109 + 61) is None
    assert totp.matching_step(secret, "08180", now=1111111109) is None


async def test_enrolment_status_secret_and_removal(my: MyAccount) -> None:
    await my.admin.user("tina")
    headers = await my.user_headers("tina")
    before = await my.call("GET", "/totp", headers)
    assert before.status_code == 200 and before.json() == {"enrolled": False}
    init = await my.call("POST", "/totp", headers, json={"action": "INIT"})
    assert init.status_code == 201, init.text
    uri = init.json()["qrCodeUrl"]
    assert uri.startswith("otpauth://totp/default%3Atina?") and "period=30" in uri
    secret = secret_of(uri)
    # Encrypted at rest under the server secret: the stored value is not the secret.
    from sqlalchemy import text

    from runegate.crypto.keys import decrypt_value

    state = my.signin.app.state.runegate
    async with state.db.read() as session:
        stored = (await session.execute(text("SELECT secret_encrypted FROM user_totp"))).scalar()
    assert secret not in stored
    assert decrypt_value(stored, state.settings.secret_keys, purpose="totp-secret") == secret
    pending = await my.call("GET", "/totp/secret", headers)
    assert pending.status_code == 200 and pending.json() == {"secret": secret}
    wrong = await my.call(
        "POST", "/totp", headers, json={"action": "VALIDATE", "verificationCode": "000000"}
    )
    if totp.matching_step(secret, "000000") is None:
        assert wrong.json() == {"isValid": False, "enrolled": False}
    code = totp.hotp(secret, totp.current_step())
    ok = await my.call(
        "POST", "/totp", headers, json={"action": "VALIDATE", "verificationCode": code}
    )
    assert ok.json() == {"isValid": True, "enrolled": True}
    # The same code (same time step) is not accepted twice.
    again = await my.call(
        "POST", "/totp", headers, json={"action": "VALIDATE", "verificationCode": code}
    )
    assert again.json()["isValid"] is False
    # Once enrolled, the secret is never shown again; INIT is a conflict.
    assert (await my.call("GET", "/totp", headers)).json() == {"enrolled": True}
    assert (await my.call("GET", "/totp/secret", headers)).status_code == 404
    conflict = await my.call("POST", "/totp", headers, json={"action": "INIT"})
    assert conflict.status_code == 409 and conflict.json()["traceId"]
    refreshed = await my.call("POST", "/totp", headers, json={"action": "REFRESH"})
    assert refreshed.status_code == 200 and secret_of(refreshed.json()["qrCodeUrl"]) != secret
    assert (await my.call("DELETE", "/totp", headers)).status_code == 200
    assert (await my.call("GET", "/totp", headers)).json() == {"enrolled": False}
    assert (await my.call("DELETE", "/totp", headers)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"action": "ENABLE"},
        {"action": "VALIDATE"},
        {"action": "VALIDATE", "verificationCode": "12ab56"},
        {"action": "VALIDATE", "verificationCode": 1234567},
        {"action": "INIT", "extra": 1},
        [],
    ],
)
async def test_bad_totp_requests_are_400(my: MyAccount, body: object) -> None:
    await my.admin.user("bert")
    headers = await my.user_headers("bert")
    response = await my.call("POST", "/totp", headers, json=body)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"code", "message", "description", "traceId"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/totp"),
        ("POST", "/totp"),
        ("DELETE", "/totp"),
        ("GET", "/totp/secret"),
        ("GET", "/backup-codes"),
        ("POST", "/backup-codes"),
        ("DELETE", "/backup-codes"),
        ("GET", "/sessions"),
        ("DELETE", "/sessions"),
        ("DELETE", "/sessions/abc"),
        ("GET", "/authorized-apps"),
        ("DELETE", "/authorized-apps/abc"),
        ("POST", "/change-password"),
    ],
)
async def test_every_me_api_needs_a_user_token_with_its_scope(
    my: MyAccount, method: str, path: str
) -> None:
    await my.admin.user("uma")
    body = {"action": "INIT"} if path == "/totp" else None
    if path == "/change-password":
        body = {"currentPassword": "x", "newPassword": "y"}
    missing = await my.call(method, path, {}, json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.json()["code"] and missing.json()["traceId"]
    app_only = bearer(await get_token(my.http, "internal_login internal_user_password_update"))
    assert (await my.call(method, path, app_only, json=body)).status_code == 403
    other = "internal_login" if path == "/change-password" else "internal_user_password_update"
    wrong_scope = await my.call(method, path, await my.user_headers("uma", other), json=body)
    assert wrong_scope.status_code == 403
    assert "insufficient_scope" in wrong_scope.headers["www-authenticate"]
    bad = await my.call(method, path, bearer("not-a-token"), json=body)
    assert bad.status_code == 401


async def test_backup_codes_are_single_use_and_counted(my: MyAccount) -> None:
    await my.admin.user("cleo")
    headers = await my.user_headers("cleo")
    assert (await my.call("GET", "/backup-codes", headers)).json() == {
        "remainingBackupCodesCount": 0
    }
    created = await my.call("POST", "/backup-codes", headers)
    assert created.status_code == 201, created.text
    codes = created.json()["backupCodes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await my.call("GET", "/backup-codes", headers)).json()[
        "remainingBackupCodesCount"
    ] == 10
    # Stored only as keyed hashes: no code appears in the database.
    state = my.signin.app.state.runegate
    from sqlalchemy import text

    async with state.db.read() as session:
        stored = (await session.execute(text("SELECT code_hash FROM user_backup_code"))).all()
    assert len(stored) == 10
    plain = {c.replace("-", "") for c in codes}
    assert not plain & {row[0] for row in stored}
    # A new set replaces the old one; DELETE removes them.
    renewed = (await my.call("POST", "/backup-codes", headers)).json()["backupCodes"]
    assert not set(renewed) & set(codes)
    assert (await my.call("DELETE", "/backup-codes", headers)).status_code == 204
    count = (await my.call("GET", "/backup-codes", headers)).json()
    assert count["remainingBackupCodesCount"] == 0


async def test_totp_is_the_second_step_of_every_sign_in(my: MyAccount) -> None:
    await my.admin.user("dora")
    headers = await my.user_headers("dora")
    secret = await my.enrol_totp(headers)
    codes = (await my.call("POST", "/backup-codes", headers)).json()["backupCodes"]

    # The password grant is refused once TOTP is enrolled (only after a right password).
    refused = await my.token("dora")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert "second factor" in refused.json()["error_description"]
    wrong = await my.token("dora", password="Wrong-Passw0rd")
    assert "second factor" not in wrong.json()["error_description"]

    # The hosted login: password, then a code page; no session before the code.
    browser = my.signin.browser()
    _verifier, challenge = pkce_pair()
    page = await browser.authorize(**code_params(my.client, challenge))
    second = await browser.login(page, "dora")
    assert second.status_code == 200 and 'name="code"' in second.text
    assert "runegate_session" not in browser.http.cookies
    bad = await browser.submit(second, code="123456")
    if totp.matching_step(secret, "123456") is None:
        assert bad.status_code == 400 and 'role="alert"' in bad.text
    # The code validated at enrolment is not accepted again (its step was used); the
    # next step's code is (a window of one step).
    replayed = await browser.submit(bad, code=totp.hotp(secret, totp.current_step() - 1))
    assert replayed.status_code == 400 and 'name="code"' in replayed.text
    consent = await browser.submit(replayed, code=totp.hotp(secret, totp.current_step() + 1))
    assert "runegate_session" in browser.http.cookies
    redirect = await browser.approve(consent)
    assert query_of(redirect)["code"]

    # A backup code works instead of a TOTP code, once.
    for expected_ok in (True, False):
        other = my.signin.browser()
        page = await other.authorize(**code_params(my.client, challenge, prompt="login"))
        second = await other.login(page, "dora")
        answer = await other.submit(second, code=codes[0].upper())
        if expected_ok:  # consent is remembered: straight back to the client with a code
            assert query_of(answer)["code"]
        else:
            assert answer.status_code == 400 and 'name="code"' in answer.text
    left = await my.call("GET", "/backup-codes", headers)
    assert left.json()["remainingBackupCodesCount"] == 9

    # The second-step form is CSRF-protected and bound to this organization's seal.
    forged = my.signin.browser()
    page = await forged.authorize(**code_params(my.client, challenge))
    second = await forged.login(page, "dora")
    from tests.signin.conftest import hidden_form

    action, fields = hidden_form(second.text)
    no_csrf = await forged.http.post(
        action, data={"request": fields["request"], "code": totp.hotp(secret, totp.current_step())}
    )
    assert no_csrf.status_code == 403
    tampered = await forged.http.post(action, data={**fields, "request": "x.y", "code": "1"})
    assert tampered.status_code == 400

    # After removal, the password grant works again.
    assert (await my.call("DELETE", "/totp", headers)).status_code == 200
    assert (await my.token("dora")).status_code == 200
