"""App-native authentication: `response_mode=direct` at the authorization endpoint and
`/oauth2/authn`, through the real app, then the ordinary token endpoint."""

from __future__ import annotations

import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runegate.oauth.housekeeping import purge
from runegate.storage.models.signin import AuthnFlow
from runegate.storage.models.signin import AuthorizationCode
from runegate.tenancy.service import provision_org
from tests.conftest import basic_auth
from tests.roles.conftest import PASSWORD
from tests.signin.conftest import AUTHORIZE
from tests.signin.conftest import ORG
from tests.signin.conftest import TOKEN
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.test_code_refresh import claims

AUTHN = f"/t/{ORG}/oauth2/authn"
BASIC_ID = "QmFzaWNBdXRoZW50aWNhdG9yOkxPQ0FM"  # base64("BasicAuthenticator:LOCAL")
GRANTS = ["authorization_code", "refresh_token"]


async def start(signin: Signin, params: dict[str, str], **kw: Any) -> httpx.Response:
    headers = {"Accept": "application/json", **kw.pop("headers", {})}
    form = {**params, "response_mode": "direct"}
    return await signin.admin.http.post(AUTHORIZE, data=form, headers=headers, **kw)


async def authn(
    signin: Signin, flow_id: str, user: str, password: str = PASSWORD, **extra: Any
) -> httpx.Response:
    selected = {"authenticatorId": BASIC_ID, "params": {"username": user, "password": password}}
    return await signin.admin.http.post(
        AUTHN, json={"flowId": flow_id, "selectedAuthenticator": selected, **extra}
    )


def assert_aba(response: httpx.Response, code: str, text: str = "") -> dict[str, Any]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    body = dict(response.json())
    assert set(body) == {"code", "message", "description", "traceId"}, body
    assert body["code"] == code, body
    assert text in body["description"], body
    return body


async def codes_issued(signin: Signin) -> int:
    async with signin.app.state.runegate.db.read() as session:
        return int(
            (await session.execute(select(func.count(AuthorizationCode.code_hash)))).scalar_one()
        )


async def native_app(signin: Signin, name: str = "native", **kw: Any) -> dict[str, Any]:
    return await signin.app_with_code(name, grants=GRANTS, native=True, **kw)


async def test_direct_flow_gives_a_code_for_the_token_endpoint(signin: Signin) -> None:
    app = await native_app(signin)
    nina = await signin.admin.user("nina")
    verifier, challenge = pkce_pair()
    first = await start(signin, code_params(app, challenge, nonce="n-7"))
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    body = first.json()
    flow_id = body.pop("flowId")
    assert len(flow_id) >= 43
    assert body == {
        "flowStatus": "INCOMPLETE",
        "flowType": "AUTHENTICATION",
        "nextStep": {
            "stepType": "AUTHENTICATOR_PROMPT",
            "authenticators": [
                {
                    "authenticatorId": BASIC_ID,
                    "authenticator": "Username & Password",
                    "idp": "LOCAL",
                    "metadata": {
                        "i18nKey": "authenticator.basic",
                        "promptType": "USER_PROMPT",
                        "params": [
                            {
                                "param": "username",
                                "type": "STRING",
                                "order": 0,
                                "i18nKey": "username.param",
                                "displayName": "Username",
                                "confidential": False,
                            },
                            {
                                "param": "password",
                                "type": "STRING",
                                "order": 1,
                                "i18nKey": "password.param",
                                "displayName": "Password",
                                "confidential": True,
                            },
                        ],
                    },
                    "requiredParams": ["username", "password"],
                }
            ],
        },
        "links": [
            {"name": "authentication", "href": f"http://testserver{AUTHN}", "method": "POST"}
        ],
    }
    done = await authn(signin, flow_id, "nina")
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["flowStatus"] == "SUCCESS_COMPLETED"
    assert result["authData"]["state"] == "st-123"
    code = result["authData"]["code"]
    # The code is bound to the PKCE challenge: a wrong verifier is refused.
    wrong = await signin.exchange(app, code, pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    tokens = await signin.exchange(app, code, verifier)
    assert tokens.status_code == 200, tokens.text
    issued = tokens.json()
    assert issued["refresh_token"] and issued["access_token"]
    id_claims = claims(issued["id_token"])
    assert id_claims["nonce"] == "n-7" and id_claims["aud"] == app["clientId"]
    assert id_claims["iss"] == f"http://testserver/t/{ORG}/oauth2/token"
    assert id_claims["sub"] == nina
    refreshed = await signin.admin.http.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert refreshed.status_code == 200, refreshed.text
    userinfo = await signin.admin.http.get(
        f"/t/{ORG}/oauth2/userinfo",
        headers={"Authorization": f"Bearer {refreshed.json()['access_token']}"},
    )
    assert userinfo.status_code == 200 and userinfo.json()["sub"] == id_claims["sub"]


async def test_wrong_password_keeps_the_flow_and_a_success_ends_it(signin: Signin) -> None:
    app = await native_app(signin)
    await signin.admin.user("omar")
    _verifier, challenge = pkce_pair()
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    for user, password in (("omar", "not-the-password"), ("nobody", PASSWORD)):
        failed = await authn(signin, flow_id, user, password)
        assert failed.status_code == 200, failed.text
        body = failed.json()
        assert body["flowId"] == flow_id and body["flowStatus"] == "FAIL_INCOMPLETE"
        assert body["nextStep"]["authenticators"][0]["authenticatorId"] == BASIC_ID
        assert body["nextStep"]["messages"] == [
            {
                "type": "ERROR",
                "messageId": "msg_invalid_un_pw",
                "message": "The username or password is incorrect.",
                "i18nKey": "message.msg_invalid_un_pw",
            }
        ]
        assert "authData" not in body
    assert await codes_issued(signin) == 0
    assert (await authn(signin, flow_id, "omar")).json()["flowStatus"] == "SUCCESS_COMPLETED"
    # Single use: the same flow id is refused afterwards, right password or not.
    assert_aba(await authn(signin, flow_id, "omar"), "ABA-60009")
    assert await codes_issued(signin) == 1
    # The flow id is stored only as a keyed hash.
    async with signin.app.state.runegate.db.read() as session:
        row = (await session.execute(select(AuthnFlow))).scalar_one()
    assert row.flow_hash != flow_id and len(row.flow_hash) == 64 and row.completed
    assert "client_secret" not in row.params and "response_mode" not in row.params


async def test_applications_must_enable_api_based_authentication(signin: Signin) -> None:
    _verifier, challenge = pkce_pair()
    for name, native in (("off", False), ("unset", None)):
        app = await signin.app_with_code(name, grants=GRANTS, native=native)
        body = assert_aba(await start(signin, code_params(app, challenge)), "ABA-60007")
        assert "enableAPIBasedAuthentication" in body["description"]
    # The setting round-trips through the applications API and can be switched on.
    app = await signin.app_with_code("later", grants=GRANTS, native=False)
    path = f"/t/{ORG}/api/server/v1/applications/{app['id']}"
    patched = await signin.admin.call(
        "PATCH", path, json={"advancedConfigurations": {"enableAPIBasedAuthentication": True}}
    )
    assert patched.status_code == 200, patched.text
    shown = (await signin.admin.call("GET", path)).json()
    assert shown["advancedConfigurations"]["enableAPIBasedAuthentication"] is True
    assert (await start(signin, code_params(app, challenge))).status_code == 200
    assert await codes_issued(signin) == 0


async def test_authorization_request_checks_answer_json(signin: Signin) -> None:
    app = await native_app(signin)
    public = await native_app(signin, "native-public", public=True)
    _verifier, challenge = pkce_pair()
    good = code_params(app, challenge)
    cases: list[tuple[dict[str, str], str]] = [
        ({**good, "client_id": "nope"}, "unknown or disabled"),
        ({**good, "redirect_uri": "https://evil.example/cb"}, "not registered"),
        ({**good, "response_type": "token"}, "unsupported_response_type"),
        ({**good, "scope": 'openid "bad'}, "invalid_scope"),
        ({**good, "code_challenge_method": "S512"}, "invalid_request"),
        (
            {k: v for k, v in code_params(public, challenge).items() if "challenge" not in k},
            "invalid_request",
        ),
        ({**good, "client_secret": "wrong-secret"}, "invalid_client"),
    ]
    for params, text in cases:
        assert_aba(await start(signin, params), "ABA-60001", text)
    # The right secret (as Asgardeo's Python SDK sends it) and Basic credentials pass.
    with_secret = await start(signin, {**good, "client_secret": app["clientSecret"]})
    assert with_secret.status_code == 200, with_secret.text
    basic = basic_auth(app["clientId"], app["clientSecret"])
    assert (await start(signin, good, headers=basic)).status_code == 200
    # GET works as well (query parameters), as Asgardeo's API definition shows it.
    by_get = await signin.admin.http.get(AUTHORIZE, params={**good, "response_mode": "direct"})
    assert by_get.status_code == 200 and by_get.json()["flowStatus"] == "INCOMPLETE"
    other = await native_app(signin, "native-other")
    foreign = basic_auth(other["clientId"], other["clientSecret"])
    assert_aba(await start(signin, good, headers=foreign), "ABA-60001", "invalid_client")
    assert await codes_issued(signin) == 0


async def test_bad_authn_requests_get_clear_errors_and_no_code(signin: Signin) -> None:
    app = await native_app(signin)
    await signin.admin.user("pia")
    _verifier, challenge = pkce_pair()
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    http = signin.admin.http
    creds = {"username": "pia", "password": PASSWORD}
    bad_bodies: list[tuple[Any, str, str]] = [
        (
            {
                "flowId": "unknown",
                "selectedAuthenticator": {"authenticatorId": BASIC_ID, "params": creds},
            },
            "ABA-60009",
            "flowId",
        ),
        (
            {
                "flowId": flow_id,
                "selectedAuthenticator": {"authenticatorId": "QmFzaWM6TE9DQUw=", "params": creds},
            },
            "ABA-60004",
            "authenticatorId",
        ),
        (
            {
                "flowId": flow_id,
                "selectedAuthenticator": {
                    "authenticatorId": BASIC_ID,
                    "params": {"username": "pia"},
                },
            },
            "ABA-60001",
            "password",
        ),
        (
            {"flowId": flow_id, "selectedAuthenticator": {"authenticatorId": BASIC_ID}},
            "ABA-60001",
            "username, password",
        ),
        ({"flowId": flow_id}, "ABA-60001", "selectedAuthenticator"),
        (
            {"selectedAuthenticator": {"authenticatorId": BASIC_ID, "params": creds}},
            "ABA-60001",
            "flowId",
        ),
        ([flow_id], "ABA-60001", "JSON object"),
        ({"flowId": "x" * 5000, "selectedAuthenticator": {}}, "ABA-60001", "too long"),
    ]
    for body, code, text in bad_bodies:
        assert_aba(await http.post(AUTHN, json=body), code, text)
    raw = {"Content-Type": "application/json"}
    assert_aba(await http.post(AUTHN, content=b"{not json", headers=raw), "ABA-60001", "JSON")
    assert_aba(await http.post(AUTHN, content=b"\xff\xfe", headers=raw), "ABA-60001", "JSON")
    form = await http.post(AUTHN, data={"flowId": flow_id})
    assert_aba(form, "ABA-60001", "application/json")
    assert (await http.get(AUTHN)).status_code == 405
    assert await codes_issued(signin) == 0
    # None of that used the flow up.
    assert (await authn(signin, flow_id, "pia")).json()["flowStatus"] == "SUCCESS_COMPLETED"


async def test_flows_expire_and_belong_to_their_organization(signin: Signin) -> None:
    app = await native_app(signin)
    await signin.admin.user("quin")
    _verifier, challenge = pkce_pair()
    state = signin.app.state.runegate
    async with state.db.write() as session:
        await provision_org(session, "other-org", base_url="http://testserver")
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    selected = {"authenticatorId": BASIC_ID, "params": {"username": "quin", "password": PASSWORD}}
    elsewhere = await signin.admin.http.post(
        "/t/other-org/oauth2/authn", json={"flowId": flow_id, "selectedAuthenticator": selected}
    )
    assert_aba(elsewhere, "ABA-60009")
    async with state.db.write() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(AuthnFlow).values(expires_at=past))
    assert_aba(await authn(signin, flow_id, "quin"), "ABA-60008")
    assert await codes_issued(signin) == 0
    # Housekeeping removes expired flows.
    assert (await purge(state.db)).signin == 1


async def test_a_disabled_client_cannot_finish_its_flow(signin: Signin) -> None:
    app = await native_app(signin)
    await signin.admin.user("rosa")
    _verifier, challenge = pkce_pair()
    flow_id = (await start(signin, code_params(app, challenge))).json()["flowId"]
    path = f"/t/{ORG}/api/server/v1/applications/{app['id']}"
    off = {"advancedConfigurations": {"enableAPIBasedAuthentication": False}}
    assert (await signin.admin.call("PATCH", path, json=off)).status_code == 200
    assert_aba(await authn(signin, flow_id, "rosa"), "ABA-60007")
    assert await codes_issued(signin) == 0


async def test_authn_counts_against_the_signin_rate_limit(make_app: Any) -> None:
    _app, http = await make_app(rate_limit_signin_per_ip=1)
    body = json.dumps({"flowId": "x"}).encode()
    headers = {"Content-Type": "application/json"}
    first = await http.post(f"/t/{ORG}/oauth2/authn", content=body, headers=headers)
    assert first.status_code == 400 and first.json()["code"] == "ABA-60001"
    limited = await http.post(f"/t/{ORG}/oauth2/authn", content=body, headers=headers)
    assert limited.status_code == 429 and "retry-after" in limited.headers
