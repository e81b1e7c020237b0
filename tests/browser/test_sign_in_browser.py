"""A real browser signs a user in: Debian's chromium driven by Playwright through the hosted
login and consent pages of a live `runegate serve`; an ordinary OIDC client library
(Authlib) builds the PKCE authorization URL, exchanges the code, and the test validates the
ID token against the JWKS and reads userinfo — OIDC Core §3.1, RFC 7636.
"""

from __future__ import annotations

import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import missing_tool
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine notes say: no background networking on a closed network, no sandbox as root.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER = "ada"
PASSWORD = "Analytical-Engine-1843"
ARTIFACTS = Path(os.environ.get("RUNEGATE_TEST_ARTIFACTS", "var/test-artifacts"))


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        missing_tool("Debian's chromium is not installed (apt-get install chromium)")
    return CHROMIUM


class _Callback(http.server.BaseHTTPRequestHandler):
    """The relying party's redirect URI: answers a small page; the test reads the URL."""

    def do_GET(self) -> None:
        body = b"<!doctype html><title>callback</title><p>signed in</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def callback_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Callback)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback"
    finally:
        server.shutdown()
        server.server_close()


def _admin(base: str) -> httpx.Client:
    scopes = "internal_application_mgt_create internal_user_mgt_create"
    token = httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scopes},
        auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    ).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})


def _setup(base: str, callback: str) -> tuple[str, str, str]:
    """A user and a standard OIDC application; returns (user id, client id, secret)."""
    with _admin(base) as admin:
        user = admin.post(
            "/t/default/scim2/Users",
            json={
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": USER,
                "password": PASSWORD,
                "name": {"givenName": "Ada", "familyName": "Lovelace"},
                "emails": [{"value": "ada@example.com", "primary": True}],
            },
        )
        assert user.status_code == 201, user.text
        app = admin.post(
            "/t/default/api/server/v1/applications",
            json={
                "name": "Browser test app",
                "inboundProtocolConfiguration": {
                    "oidc": {"grantTypes": ["authorization_code"], "callbackURLs": [callback]}
                },
                "claimConfiguration": {
                    "requestedClaims": [
                        {"claim": {"uri": "http://wso2.org/claims/emailaddress"}},
                        {"claim": {"uri": "http://wso2.org/claims/givenname"}},
                    ]
                },
            },
        )
        assert app.status_code == 201, app.text
        return user.json()["id"], app.json()["clientId"], app.json()["clientSecret"]


def test_a_browser_signs_in_and_a_client_library_gets_tokens(
    tmp_path: Path, callback_url: str
) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with live_server(f"sqlite:///{tmp_path}/browser.db", tmp_path, port=free_port()) as (
        base,
        _proc,
    ):
        user_id, client_id, secret = _setup(base, callback_url)
        discovery = httpx.get(
            f"{base}/t/default/oauth2/token/.well-known/openid-configuration"
        ).json()
        client = OAuth2Client(
            client_id,
            secret,
            scope="openid email profile",
            redirect_uri=callback_url,
            code_challenge_method="S256",
        )
        verifier = os.urandom(40).hex()
        nonce = os.urandom(12).hex()
        url, state = client.create_authorization_url(
            discovery["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )

        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(url)
                # The hosted page: the organization is named, the fields are labelled.
                assert "default" in page.content()
                assert page.locator("html").get_attribute("lang")
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "login.png"))
                page.get_by_label("Username").fill(USER)
                page.get_by_label("Password").fill("wrong-password")
                page.get_by_label("Password").press("Enter")  # keyboard submits the form
                page.wait_for_selector("[role=alert]")
                assert "wrong-password" not in page.content()
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_label("Password").press("Enter")
                page.get_by_role("button", name="Allow").click()  # consent
                page.wait_for_url(f"{callback_url}*")
                redirected = page.url
            finally:
                browser.close()

        token = client.fetch_token(
            discovery["token_endpoint"],
            authorization_response=redirected,
            code_verifier=verifier,
            state=state,
        )
        assert token["token_type"].lower() == "bearer"
        assert "openid" in token["scope"].split()

        # The ID token verifies against the published JWKS.
        jwks = KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())
        decoded = jwt.decode(token["id_token"], jwks)
        claims = decoded.claims
        assert decoded.header["kid"] and decoded.header["alg"] == "RS256"
        assert claims["iss"] == discovery["issuer"]
        assert claims["sub"] == user_id
        assert client_id in (claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]])
        assert claims["nonce"] == nonce
        assert claims["email"] == "ada@example.com"
        jwt.JWTClaimsRegistry(exp={"essential": True}, iat={"essential": True}).validate(claims)

        info = client.get(discovery["userinfo_endpoint"])
        assert info.status_code == 200, info.text
        assert info.json()["sub"] == user_id
        assert info.json()["email"] == "ada@example.com"
        assert info.json()["given_name"] == "Ada"

        # The code was single-use: a second exchange of the same redirect is refused.
        again = httpx.post(
            discovery["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": dict(httpx.URL(redirected).params)["code"],
                "redirect_uri": callback_url,
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
        )
        assert again.status_code == 400
        assert again.json()["error"] == "invalid_grant"
