"""The seed's set-up steps, clicked in a real browser (Debian's chromium via Playwright)
on the Console of a live `runegate serve`: sign in as the administrator, create an M2M
application, open its API Authorization tab, Authorize an API Resource, pick a scope,
Finish. Then, outside the browser, a client_credentials request with those credentials
gets exactly that scope and calls the API (the seed's steps 3 and 4)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.test_sign_in_browser import ARTIFACTS
from tests.browser.test_sign_in_browser import CHROMIUM_ARGS
from tests.browser.test_sign_in_browser import _chromium
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "admin-password-for-tests"  # tests/live/server.py
API = "/api/server/v1/applications"
SCOPE = "internal_application_mgt_view"
# The Console's navigation: link text and the heading of the page it opens.
NAVIGATION = [
    ("Applications", "Applications"),
    ("API Resources", "API Resources"),
    ("Users", "Users"),
    ("Groups", "Groups"),
    ("Roles", "Roles"),
    ("Organizations", "Organizations"),
]


def _shot(page: Any, name: str) -> None:
    """A screenshot of the whole page (1000 px wide) into the artifacts folder."""
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_console_seed_flow_in_a_browser(tmp_path: Path) -> None:
    from playwright.sync_api import expect
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with live_server(f"sqlite:///{tmp_path}/console.db", tmp_path, port=free_port()) as (
        base,
        _proc,
    ):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1000, "height": 700})
                errors: list[str] = []
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.goto(f"{base}/t/default/console")
                # The hosted login page of the organization (authorization code + PKCE).
                page.get_by_label("Username").fill("admin")
                page.get_by_label("Password").fill(ADMIN_PASSWORD)
                page.get_by_label("Password").press("Enter")
                page.wait_for_url(re.compile(r".*/t/default/console/applications$"))
                expect(page.get_by_role("heading", name="Applications")).to_be_visible()
                expect(page.locator("header")).to_contain_text("default")

                # Step 1: register an M2M application.
                page.get_by_role("link", name="New application").click()
                page.get_by_label("Machine-to-machine (M2M) application").check()
                page.get_by_label("Name", exact=True).fill("bookings-worker")
                page.get_by_role("button", name="Create").click()
                client_id = page.get_by_label("Client ID").input_value()
                secret = page.get_by_label("Client secret").input_value()
                assert client_id and len(secret) >= 32
                page.locator("button[data-copy=client-id]").click()  # the vendored script runs
                expect(page.locator("#client-id-status")).not_to_be_empty()
                _shot(page, "console-application-protocol")

                # Step 2: API Authorization -> Authorize an API Resource -> scopes -> Finish.
                page.get_by_role("link", name="API Authorization").click()
                page.get_by_role("link", name="Authorize an API Resource").click()
                option = page.locator("#api option", has_text=f"({API})").first
                page.get_by_label("API resource").select_option(option.get_attribute("value"))
                page.get_by_role("button", name="Show scopes").click()
                page.get_by_role("checkbox", name=re.compile(rf"^{SCOPE}\b")).check()
                page.get_by_role("button", name="Finish").click()
                page.wait_for_url(re.compile(r".*/api-authorization\?saved=1$"))
                checked = page.get_by_role("checkbox", name=re.compile(rf"^{SCOPE}\b"))
                expect(checked).to_be_checked()
                _shot(page, "console-api-authorization")

                # The other pages, one screenshot each (the README shows two of them).
                page.get_by_role("link", name="Token tester").click()
                page.get_by_label("Scopes").fill(SCOPE)
                page.get_by_role("button", name="Test").click()
                expect(page.locator("main")).to_contain_text(SCOPE)
                _shot(page, "console-token-tester")
                for section, heading in NAVIGATION:
                    page.locator("nav.side").get_by_role("link", name=section, exact=True).click()
                    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
                    _shot(page, f"console-{section.lower().replace(' ', '-')}")
                assert not [e for e in errors if "Content Security Policy" in e], errors
            finally:
                browser.close()

        # Step 3 (outside the browser): exactly the authorized scope is granted.
        token = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "scope": f"{SCOPE} internal_application_mgt_create",
            },
            auth=(client_id, secret),
        )
        assert token.status_code == 200, token.text
        assert token.json()["scope"] == SCOPE
        # Step 4: the API answers with that token.
        listed = httpx.get(
            f"{base}/t/default{API}",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        )
        assert listed.status_code == 200, listed.text
        assert "bookings-worker" in {a["name"] for a in listed.json()["applications"]}
