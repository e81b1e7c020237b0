"""Console fixtures: the real app, browsers (httpx clients keeping cookies) that sign in
through the Console's authorization code flow, and form helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from runegate.tenancy.service import provision_org
from tests.conftest import BASE_URL
from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token
from tests.signin.conftest import hidden_form

ADMIN_PASSWORD = "admin-password-for-tests"
USER_PASSWORD = "Ordinary-Member-Passw0rd"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Browser:
    http: httpx.AsyncClient
    org: str = "default"

    @property
    def console(self) -> str:
        return f"/t/{self.org}/console"

    async def sign_in(self, user: str = "admin", password: str = ADMIN_PASSWORD) -> httpx.Response:
        """Open the Console, sign in on the hosted login page, follow back to the Console."""
        start = await self.http.get(f"{self.console}/applications")
        assert start.status_code == 303, start.text
        assert "/oauth2/authorize?" in start.headers["location"]
        login = await self.http.get(start.headers["location"])
        assert login.status_code == 200 and 'name="password"' in login.text, login.text
        action, hidden = hidden_form(login.text)
        posted = await self.http.post(
            action, data={**hidden, "username": user, "password": password}
        )
        assert posted.status_code == 303, posted.text
        assert posted.headers["location"].startswith(f"{BASE_URL}{self.console}/callback?")
        back = await self.http.get(posted.headers["location"])
        if back.status_code != 303:
            return back
        return await self.http.get(back.headers["location"])

    async def csrf(self, path: str | None = None) -> str:
        page = await self.http.get(path or f"{self.console}/applications")
        assert page.status_code == 200, page.text
        found = CSRF.search(page.text)
        assert found, page.text
        return found.group(1)

    async def post(
        self, path: str, data: dict[str, Any], *, token: str | None = None
    ) -> httpx.Response:
        fields = {"csrf_token": token if token is not None else await self.csrf(), **data}
        return await self.http.post(path, data=fields)


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


@dataclass
class ConsoleEnv:
    app: FastAPI
    http: httpx.AsyncClient

    def browser(self, org: str = "default") -> Browser:
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        return Browser(httpx.AsyncClient(transport=transport, base_url=BASE_URL), org)

    async def admin_token(self, scope: str) -> dict[str, str]:
        return bearer(await get_token(self.http, scope))

    async def create_user(self, name: str, password: str = USER_PASSWORD) -> str:
        headers = await self.admin_token("internal_user_mgt_create")
        body = {"userName": name, "password": password}
        created = await self.http.post("/t/default/scim2/Users", json=body, headers=headers)
        assert created.status_code == 201, created.text
        return str(created.json()["id"])

    async def add_org(self, name: str) -> None:
        db = self.app.state.runegate.db
        async with db.write() as session:
            await provision_org(
                session, name, base_url=BASE_URL, admin_password=f"{name}-admin-password"
            )
        await self.app.state.runegate.caches.refresh(db)


@pytest.fixture
async def env(make_app: AppFactory) -> ConsoleEnv:
    app, http = await make_app()
    return ConsoleEnv(app, http)
