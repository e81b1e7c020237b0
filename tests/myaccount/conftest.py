"""My Account fixtures: the real app, an application whose users get end-user tokens
through the password grant (and the hosted login), and helpers for the `/me` APIs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from runegate.crypto import totp
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import PASSWORD
from tests.roles.conftest import Admin
from tests.roles.conftest import password_token
from tests.signin.conftest import CALLBACK
from tests.signin.conftest import Browser
from tests.signin.conftest import Signin
from tests.signin.conftest import code_params
from tests.signin.conftest import pkce_pair
from tests.signin.conftest import query_of

ME = "/t/default/api/users/v1/me"
END_USER = "internal_login internal_user_password_update"


@dataclass
class MyAccount:
    signin: Signin
    client: dict[str, Any]  # password + authorization_code + refresh_token application

    @property
    def admin(self) -> Admin:
        return self.signin.admin

    @property
    def http(self) -> httpx.AsyncClient:
        return self.admin.http

    async def token(self, user: str, scope: str = END_USER, **kw: Any) -> httpx.Response:
        return await password_token(self.http, self.client, user, scope, **kw)

    async def user_headers(self, user: str, scope: str = END_USER) -> dict[str, str]:
        response = await self.token(user, scope)
        assert response.status_code == 200, response.text
        return bearer(response.json()["access_token"])

    async def call(
        self, method: str, path: str, headers: dict[str, str], **kw: Any
    ) -> httpx.Response:
        return await self.http.request(method, f"{ME}{path}", headers=headers, **kw)

    async def browser_sign_in(self, user: str) -> tuple[Browser, str]:
        """A new browser through login (and consent, unless remembered); (it, code)."""
        browser = self.signin.browser()
        _verifier, challenge = pkce_pair()
        page = await browser.authorize(**code_params(self.client, challenge))
        answer = await browser.login(page, user)
        if answer.status_code == 200:
            answer = await browser.approve(answer)
        return browser, query_of(answer)["code"]

    async def enrol_totp(self, headers: dict[str, str]) -> str:
        """INIT then VALIDATE with a real code; returns the base32 secret."""
        init = await self.call("POST", "/totp", headers, json={"action": "INIT"})
        assert init.status_code == 201, init.text
        secret = secret_of(init.json()["qrCodeUrl"])
        valid = await self.call(
            "POST",
            "/totp",
            headers,
            json={"action": "VALIDATE", "verificationCode": totp.hotp(secret, totp.current_step())},
        )
        assert valid.status_code == 200 and valid.json()["isValid"] is True, valid.text
        return secret


def secret_of(uri: str) -> str:
    found = re.search(r"[?&]secret=([A-Z2-7]+)", uri)
    assert found, uri
    return found.group(1)


async def authorize_end_user_apis(admin: Admin, app_id: str) -> None:
    for identifier, scope in (
        ("/scim2/Me", "internal_login"),
        ("/api/users/v1/me", "internal_user_password_update"),
    ):
        found = await admin.call(
            "GET",
            "/t/default/api/server/v1/api-resources",
            params={"filter": f"identifier eq {identifier}"},
        )
        api_id = found.json()["APIResources"][0]["id"]
        url = f"/t/default/api/server/v1/applications/{app_id}/authorized-apis"
        body = {"id": api_id, "policyIdentifier": "RBAC", "scopes": [scope]}
        response = await admin.call("POST", url, json=body)
        assert response.status_code == 201, response.text


@pytest.fixture
async def my(make_app: AppFactory) -> Any:
    app, http = await make_app()
    admin = Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
    signin = Signin(app, admin)
    client = await signin.app_with_code(
        "portal",
        callbacks=[CALLBACK],
        grants=["authorization_code", "password", "refresh_token"],
    )
    await authorize_end_user_apis(admin, client["id"])
    yield MyAccount(signin, client)
    for browser in signin.browsers:
        await browser.aclose()


__all__ = ["PASSWORD", "MyAccount"]
