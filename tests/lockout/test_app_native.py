"""App-native authentication (`/oauth2/authn`) goes through the same password check, so
the lockout applies to it: failures there count with the password grant's, and a locked
account gets the wrong-password step (FAIL_INCOMPLETE) even with the right password."""

from __future__ import annotations

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.lockout.conftest import SCOPES
from tests.lockout.conftest import open_org
from tests.roles.conftest import Admin
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.test_app_native import authn
from tests.signin.test_app_native import native_app
from tests.signin.test_app_native import start


async def test_app_native_authn_is_locked_out(make_app: AppFactory) -> None:
    app, http = await make_app()
    signin = Signin(app, Admin(http, bearer(await get_token(http, SCOPES))))
    org = await open_org(http)
    native = await native_app(signin)
    await signin.admin.user("rex")
    await org.fail("rex", 2)  # the password grant's failures count here too
    _verifier, challenge = pkce_pair()
    flow_id = (await start(signin, code_params(native, challenge))).json()["flowId"]
    for _ in range(3):
        step = await authn(signin, flow_id, "rex", "Wrong-Passw0rd")
        assert step.json()["flowStatus"] == "FAIL_INCOMPLETE", step.text
    locked = await authn(signin, flow_id, "rex")  # the right password
    assert locked.status_code == 200, locked.text
    assert locked.json()["flowStatus"] == "FAIL_INCOMPLETE"
    assert [e["reason"] for e in await org.audit("user.lock")] == [
        "too many failed sign-in attempts"
    ]
    assert (await org.password("rex")).status_code == 400
