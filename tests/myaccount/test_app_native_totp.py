"""App-native authentication asks a user with TOTP enrolled for a code as a further
`nextStep` (authenticator "TOTP") after the password; no code is issued before it."""

from __future__ import annotations

from runegate.crypto import totp
from tests.myaccount.conftest import MyAccount
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.test_app_native import AUTHN
from tests.signin.test_app_native import assert_aba
from tests.signin.test_app_native import authn
from tests.signin.test_app_native import codes_issued
from tests.signin.test_app_native import native_app
from tests.signin.test_app_native import start

TOTP_ID = "dG90cDpMT0NBTA=="  # base64("totp:LOCAL")


async def _totp(my: MyAccount, flow_id: str, token: str) -> dict[str, object]:
    selected = {"authenticatorId": TOTP_ID, "params": {"token": token}}
    response = await my.http.post(
        AUTHN, json={"flowId": flow_id, "selectedAuthenticator": selected}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_app_native_flow_asks_for_the_totp_code(my: MyAccount) -> None:
    signin = my.signin
    app = await native_app(signin)
    await my.admin.user("nora")
    secret = await my.enrol_totp(await my.user_headers("nora"))
    before = await codes_issued(signin)
    _verifier, challenge = pkce_pair()
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    after_password = (await authn(signin, flow_id, "nora")).json()
    assert after_password["flowStatus"] == "INCOMPLETE"
    step = after_password["nextStep"]["authenticators"][0]
    assert step["authenticator"] == "TOTP" and step["requiredParams"] == ["token"]
    assert "authData" not in after_password
    # The password step is over: a second password attempt is not the step offered.
    assert_aba(await authn(signin, flow_id, "nora"), "ABA-60004")
    wrong = "000000" if totp.matching_step(secret, "000000") is None else "999999"
    failed = await _totp(my, flow_id, wrong)
    assert failed["flowStatus"] == "FAIL_INCOMPLETE" and "authData" not in failed
    assert failed["nextStep"]["messages"][0]["messageId"] == "msg_invalid_totp"
    assert await codes_issued(signin) == before
    done = await _totp(my, flow_id, totp.hotp(secret, totp.current_step() + 1))
    assert done["flowStatus"] == "SUCCESS_COMPLETED" and done["authData"]["code"]
    assert await codes_issued(signin) == before + 1
    # The flow is single-use.
    again = await my.http.post(
        AUTHN,
        json={
            "flowId": flow_id,
            "selectedAuthenticator": {"authenticatorId": TOTP_ID, "params": {"token": "1"}},
        },
    )
    assert_aba(again, "ABA-60009")


async def test_app_native_without_totp_is_unchanged(my: MyAccount) -> None:
    signin = my.signin
    app = await native_app(signin)
    await my.admin.user("omar")
    _verifier, challenge = pkce_pair()
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    done = (await authn(signin, flow_id, "omar")).json()
    assert done["flowStatus"] == "SUCCESS_COMPLETED"
    # A TOTP step before the password is not offered.
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    selected = {"authenticatorId": TOTP_ID, "params": {"token": "123456"}}
    refused = await my.http.post(AUTHN, json={"flowId": flow_id, "selectedAuthenticator": selected})
    assert_aba(refused, "ABA-60004")
