"""An ordinary OIDC client library (Authlib's httpx client) signs a user in: discovery,
authorization URL with PKCE S256 and nonce, the hosted pages, the code exchange, and the
ID token checked against the JWKS."""

from __future__ import annotations

import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client

from tests.conftest import BASE_URL

try:  # Authlib's client runs on httpx2 when installed, on httpx otherwise
    import httpx2 as client_httpx
except ImportError:  # pragma: no cover
    import httpx as client_httpx
from tests.oidc.conftest import validate_id_token
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Signin

DISCOVERY = "/t/default/oauth2/token/.well-known/openid-configuration"


@pytest.mark.parametrize("public", [False, True])
async def test_authlib_signs_a_user_in(
    signin: Signin, public: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the test server is http
    app = await signin.app_with_code("library", public=public)
    user_id = await signin.admin.user("lena")
    metadata = (await signin.admin.http.get(DISCOVERY)).json()
    browser = signin.browser()
    client = AsyncOAuth2Client(
        client_id=app["clientId"],
        client_secret=app.get("clientSecret"),
        token_endpoint_auth_method="none" if public else "client_secret_basic",
        scope="openid",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        transport=client_httpx.ASGITransport(app=signin.app),
    )
    async with client:
        verifier = generate_token(48)
        nonce = generate_token(20)
        url, state = client.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        assert url.startswith(f"{BASE_URL}/t/default/oauth2/authorize?")
        page = await browser.http.get(url)
        consent = await browser.login(page, "lena")
        redirect = await browser.approve(consent)
        token = await client.fetch_token(
            metadata["token_endpoint"],
            authorization_response=redirect.headers["location"],
            code_verifier=verifier,
            state=state,
        )
    assert token["token_type"] == "Bearer" and token["scope"] == "openid"
    _header, claims = await validate_id_token(signin.admin.http, token["id_token"], app["clientId"])
    assert claims["sub"] == user_id and claims["nonce"] == nonce
    userinfo = await signin.admin.http.get(
        metadata["userinfo_endpoint"], headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert userinfo.status_code == 200, userinfo.text
    assert userinfo.json()["sub"] == user_id
