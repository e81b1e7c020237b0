"""Asgardeo's Node.js SDK (`@asgardeo/node`, exact version pinned by
tests/sdk/node/package-lock.json and installed with `npm ci`) against a live Runegate,
configured with nothing but Runegate's organization URL as `baseUrl`: a real browser
(Debian's chromium driven by Playwright) signs in on Runegate's hosted pages, the SDK gets
tokens and validates the ID token against the JWKS (issuer, audience, `kid`, RS256),
refreshes, and signs out. The tokens then work on userinfo and `/scim2/Me`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.test_sign_in_browser import CHROMIUM
from tests.browser.test_sign_in_browser import CHROMIUM_ARGS
from tests.conftest import missing_tool
from tests.live.server import free_port
from tests.sdk.conftest import PASSWORD
from tests.sdk.conftest import USER
from tests.sdk.conftest import Live
from tests.sdk.conftest import require_tool
from tests.sdk.conftest import setup_app

pytestmark = pytest.mark.slow

NODE_DIR = Path(__file__).parent / "node"
ENDPOINTS = (
    "issuer",
    "authorizationEndpoint",
    "tokenEndpoint",
    "jwksUri",
    "userinfoEndpoint",
    "revocationEndpoint",
)


@dataclass(frozen=True)
class Node:
    binary: str
    app_dir: Path  # a copy of tests/sdk/node with the pinned SDK installed


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Node:
    """Node with the pinned SDK installed from the lock file (`npm ci`), in a directory
    of this test process's own (pytest-xdist workers do not share node_modules)."""
    binary = require_tool("node")
    npm = require_tool("npm")
    app_dir = tmp_path_factory.mktemp("node-sdk")
    for name in ("package.json", "package-lock.json", "signin.mjs"):
        shutil.copy(NODE_DIR / name, app_dir / name)
    done = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=app_dir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        missing_tool(f"npm ci failed: {done.stderr[-2000:]}")
    return Node(binary, app_dir)


def node_env(live: Live, client_id: str, secret: str, port: int, report: Path) -> dict[str, str]:
    return {
        **os.environ,
        "RUNEGATE_ORG_URL": live.org_url,
        "CLIENT_ID": client_id,
        "CLIENT_SECRET": secret,
        "APP_PORT": str(port),
        "REPORT_PATH": str(report),
    }


@pytest.fixture
def node_app(node: Node, live: Live) -> Iterator[tuple[str, Any, Path]]:
    """The Node web application (signin.mjs) on a free port; yields its origin, the
    SDK application's setup and the path of its report."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    app = setup_app(live, f"{origin}/callback", extra_callbacks=(f"{origin}/signed-out",))
    report = live.tmp / "node-report.json"
    env = node_env(live, app.client_id, app.client_secret, port, report)
    proc = subprocess.Popen(
        [node.binary, "signin.mjs"], cwd=node.app_dir, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("listening"), "the Node app did not start"
        yield origin, app, report
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def read_report(report: Path, step: str) -> dict[str, Any]:
    """The app's report once it has reached `step` or failed (bounded polling)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if report.exists():
            data: dict[str, Any] = json.loads(report.read_text())
            if step in data["steps"] or "error" in data:
                return data
        time.sleep(0.2)
    raise AssertionError(f"the Node app never reached {step}")


def sdk_endpoints(node: Node, env: dict[str, str], source: str) -> dict[str, str]:
    done = subprocess.run(
        [node.binary, "signin.mjs", "endpoints", source],
        cwd=node.app_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    result: dict[str, str] = json.loads(done.stdout)
    assert "error" not in result, result
    return result


def test_node_sdk_reads_discovery_as_it_derives_endpoints(node: Node, live: Live) -> None:
    app = setup_app(live, "http://127.0.0.1:1/callback")
    env = node_env(live, app.client_id, app.client_secret, 1, live.tmp / "unused.json")
    derived = sdk_endpoints(node, env, "baseurl")
    discovered = sdk_endpoints(node, env, "wellknown")
    for key in ENDPOINTS:
        assert discovered[key] == derived[key], key
    assert discovered["issuer"] == f"{live.org_url}/oauth2/token"
    # Without a server the discovery mode fails: the values above came from Runegate.
    offline = {**env, "RUNEGATE_ORG_URL": "http://127.0.0.1:9/t/default"}
    with pytest.raises(AssertionError, match="well-known"):
        sdk_endpoints(node, offline, "wellknown")


def test_node_sdk_signs_in_through_the_login_page(node_app: tuple[str, Any, Path]) -> None:
    from playwright.sync_api import sync_playwright

    origin, app, report_path = node_app
    executable = require_tool("chromium", CHROMIUM)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{origin}/login")
            page.get_by_label("Username").fill(USER)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_label("Password").press("Enter")
            page.get_by_role("button", name="Allow").click()  # consent
            report = read_report(report_path, "signOut")
            assert "error" not in report, report
            # RP-initiated logout: the SDK names the client (no id_token_hint), so Runegate
            # asks the signed-in user to confirm, then returns to afterSignOutUrl.
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_url(f"{origin}/signed-out*")
            report = read_report(report_path, "signedOut")
            # The SSO session has ended: the authorization URL asks for the password again.
            page.goto(report["authorizeUrl"])
            assert page.get_by_label("Password").is_visible()
        finally:
            browser.close()

    assert report["steps"] == ["login", "tokens", "refreshed", "signOut", "signedOut"]
    org_url = report["authorizeUrl"].split("/oauth2/authorize")[0]
    authorize = parse_qs(urlsplit(report["authorizeUrl"]).query)
    assert authorize["code_challenge_method"] == ["S256"]  # the SDK uses PKCE
    assert report["tokens"] == {
        "accessToken": True,
        "idToken": True,
        "refreshToken": True,
        "scope": report["tokens"]["scope"],
        "tokenType": "Bearer",
    }
    assert {"openid", "internal_login"} <= set(report["tokens"]["scope"].split())
    # The SDK validated the ID token (JWKS `kid`, RS256, issuer, audience, subject).
    claims = report["idTokenClaims"]
    assert claims["iss"] == f"{org_url}/oauth2/token"
    assert claims["sub"] == app.user_id
    assert report["signedIn"] is True
    assert report["refreshed"]["accessToken"] and report["accessTokenChanged"]

    sign_out = urlsplit(report["signOutUrl"])
    assert f"{sign_out.scheme}://{sign_out.netloc}{sign_out.path}" == f"{org_url}/oidc/logout"
    assert parse_qs(sign_out.query)["post_logout_redirect_uri"] == [f"{origin}/signed-out"]

    bearer = {"Authorization": f"Bearer {report['accessToken']}"}
    info = httpx.get(f"{org_url}/oauth2/userinfo", headers=bearer)
    assert info.status_code == 200 and info.json()["sub"] == app.user_id
    me = httpx.get(f"{org_url}/scim2/Me", headers=bearer)
    assert me.status_code == 200 and me.json()["id"] == app.user_id
