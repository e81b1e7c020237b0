"""A real browser enrols TOTP in My Account and signs in with it: Debian's chromium driven
by Playwright against a live `runegate serve` (RFC 6238 codes computed by the test)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from runegate.crypto import totp
from tests.browser.test_sign_in_browser import ARTIFACTS
from tests.browser.test_sign_in_browser import CHROMIUM_ARGS
from tests.browser.test_sign_in_browser import _chromium
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow

USER = "grace"
PASSWORD = "Compiler-Pioneer-1952"


def _create_user(base: str) -> None:
    token = httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": "internal_user_mgt_create"},
        auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    ).json()["access_token"]
    created = httpx.post(
        f"{base}/t/default/scim2/Users",
        json={"userName": USER, "password": PASSWORD, "name": {"givenName": "Grace"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert created.status_code == 201, created.text


def test_a_user_enrols_totp_in_my_account_and_signs_in_with_a_code(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    with live_server(
        f"sqlite:///{tmp_path}/myaccount.db", tmp_path, port=port, RUNEGATE_PUBLIC_URL=public
    ) as (base, _proc):
        _create_user(base)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.goto(f"{base}/t/default/myaccount")
                # Not signed in: the organization's hosted login, then My Account.
                page.get_by_label("Username").fill(USER)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_label("Password").press("Enter")
                page.wait_for_selector("text=Personal information")
                assert page.get_by_label("First name").input_value() == "Grace"
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "myaccount-profile.png"), full_page=True)

                page.get_by_role("link", name="Security").click()
                page.get_by_role("button", name="Set up an authenticator app").click()
                assert page.locator("figure.qr svg").count() == 1
                secret = page.locator("#totp-secret").inner_text()
                page.screenshot(path=str(ARTIFACTS / "myaccount-totp.png"), full_page=True)
                code = page.get_by_label("Code from the app")
                code.fill(totp.hotp(secret, totp.current_step()))
                code.press("Enter")
                page.wait_for_selector("text=Two-step verification is on")
                page.get_by_role("button", name="Generate new backup codes").click()
                codes = page.locator("ul.codes li").all_inner_texts()
                assert len(codes) == 10

                # Sign out, then sign in again: the code page follows the password.
                page.get_by_role("button", name="Sign out", exact=True).first.click()
                page.get_by_label("Username").fill(USER)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_label("Password").press("Enter")
                page.wait_for_selector("text=Verify your identity")
                page.screenshot(path=str(ARTIFACTS / "login-totp.png"))
                verification = page.get_by_label("Verification code")
                verification.fill(
                    "000000" if totp.matching_step(secret, "000000") is None else "999999"
                )
                verification.press("Enter")
                page.wait_for_selector("[role=alert]")
                # The enrolment code's step is used up; the next step's code is accepted.
                page.get_by_label("Verification code").fill(
                    totp.hotp(secret, totp.current_step() + 1)
                )
                page.get_by_label("Verification code").press("Enter")
                page.wait_for_selector("text=Personal information")
                page.get_by_role("link", name="Sessions").click()
                assert page.locator("text=This session").count() == 1
            finally:
                browser.close()
