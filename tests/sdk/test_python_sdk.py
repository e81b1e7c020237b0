"""Asgardeo's Python SDK (`asgardeo`, pinned in the dev extras) against a live Runegate,
configured with nothing but Runegate's organization URL: app-native sign-in with username
and password (`response_mode=direct`, `/oauth2/authn`), the code exchanged at the token
endpoint, a refresh, and the tokens used on userinfo and `/scim2/Me`."""

from __future__ import annotations

import httpx
import pytest
from asgardeo import AsgardeoConfig
from asgardeo import AsgardeoNativeAuthClient
from asgardeo import AuthenticationError
from asgardeo import FlowStatus
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.sdk.conftest import PASSWORD
from tests.sdk.conftest import USER
from tests.sdk.conftest import Live
from tests.sdk.conftest import setup_app

pytestmark = pytest.mark.slow

CALLBACK = "https://native-app.example/callback"


def sdk_config(live: Live, client_id: str, secret: str) -> AsgardeoConfig:
    return AsgardeoConfig(
        base_url=live.org_url,
        client_id=client_id,
        redirect_uri=CALLBACK,
        client_secret=secret,
        scope="openid internal_login email",
    )


async def test_python_sdk_signs_in_refreshes_and_calls_apis(live: Live) -> None:
    app = setup_app(live, CALLBACK, enableAPIBasedAuthentication=True)
    async with AsgardeoNativeAuthClient(sdk_config(live, app.client_id, app.client_secret)) as auth:
        first = await auth.authenticate(state="py-state")
        assert auth.flow_status == FlowStatus.INCOMPLETE and auth.flow_id
        authenticator = first["nextStep"]["authenticators"][0]
        assert authenticator["requiredParams"] == ["username", "password"]
        authenticator_id = authenticator["authenticatorId"]

        failed = await auth.authenticate(
            authenticator_id=authenticator_id, params={"username": USER, "password": "wrong"}
        )
        assert failed["flowStatus"] == "FAIL_INCOMPLETE"
        assert failed["nextStep"]["messages"][0]["messageId"] == "msg_invalid_un_pw"

        await auth.authenticate(
            authenticator_id=authenticator_id, params={"username": USER, "password": PASSWORD}
        )
        assert auth.flow_status == FlowStatus.SUCCESS_COMPLETED
        assert auth.auth_data is not None and auth.auth_data["state"] == "py-state"
        token = await auth.get_token()
        assert token.id_token and token.refresh_token and token.access_token
        assert set((token.scope or "").split()) >= {"openid", "internal_login"}

        # The completed flow is single-use.
        with pytest.raises(AuthenticationError, match="ABA-60009"):
            await auth.authenticate(
                authenticator_id=authenticator_id, params={"username": USER, "password": PASSWORD}
            )
        refreshed = await auth.token_client.refresh_access_token(token.refresh_token)
    assert refreshed.access_token != token.access_token and refreshed.id_token

    # The ID token verifies against the published JWKS, as discovery names it.
    discovery = httpx.get(f"{live.org_url}/oauth2/token/.well-known/openid-configuration").json()
    assert discovery["issuer"] == f"{live.org_url}/oauth2/token"
    decoded = jwt.decode(
        token.id_token, KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())
    )
    assert decoded.header["alg"] == "RS256" and decoded.header["kid"]
    assert decoded.claims["iss"] == discovery["issuer"]
    assert decoded.claims["sub"] == app.user_id and decoded.claims["aud"] == app.client_id

    bearer = {"Authorization": f"Bearer {refreshed.access_token}"}
    info = httpx.get(discovery["userinfo_endpoint"], headers=bearer)
    assert info.status_code == 200, info.text
    assert info.json()["sub"] == app.user_id and info.json()["email"] == "grace@example.com"
    me = httpx.get(f"{live.org_url}/scim2/Me", headers=bearer)
    assert me.status_code == 200, me.text
    assert me.json()["id"] == app.user_id and me.json()["userName"].endswith(USER)


async def test_python_sdk_is_refused_when_the_app_does_not_enable_it(live: Live) -> None:
    app = setup_app(live, CALLBACK)
    async with AsgardeoNativeAuthClient(sdk_config(live, app.client_id, app.client_secret)) as auth:
        with pytest.raises(AuthenticationError, match="ABA-60007"):
            await auth.authenticate()
