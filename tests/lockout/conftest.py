"""Lockout fixtures: the real app, an administrator with user, application, audit and
identity-governance scopes, an app with the password grant, and helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.roles.conftest import ADMIN_SCOPES
from tests.roles.conftest import PASSWORD
from tests.roles.conftest import Admin

GOVERNANCE_SCOPES = "internal_idp_view internal_idp_update internal_audit_log_view"
SCOPES = f"{ADMIN_SCOPES} {GOVERNANCE_SCOPES}"
CATEGORY = "TG9naW4gQXR0ZW1wdHMgU2VjdXJpdHk"  # "Login Attempts Security"
CONNECTOR = "YWNjb3VudC5sb2NrLmhhbmRsZXI"  # "account.lock.handler"
WSO2 = "urn:scim:wso2:schema"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
WRONG = "Wrong-Passw0rd"


@dataclass
class Org:
    """An organization seen by its administrator, with one password-grant app."""

    admin: Admin
    app: dict[str, Any]

    @property
    def name(self) -> str:
        return self.admin.org

    @property
    def connector_url(self) -> str:
        base = f"/t/{self.name}/api/server/v1/identity-governance"
        return f"{base}/{CATEGORY}/connectors/{CONNECTOR}"

    async def password(self, user: str, password: str = PASSWORD, **kw: Any) -> httpx.Response:
        http: httpx.AsyncClient = kw.pop("http", self.admin.http)
        return await http.post(
            f"/t/{self.name}/oauth2/token",
            data={"grant_type": "password", "username": user, "password": password},
            headers=basic_auth(self.app["clientId"], self.app["clientSecret"]),
        )

    async def fail(self, user: str, times: int, **kw: Any) -> None:
        for _ in range(times):
            response = await self.password(user, WRONG, **kw)
            assert response.status_code == 400, response.text
            assert response.json()["error"] == "invalid_grant"

    async def set_policy(self, **properties: str) -> httpx.Response:
        body = {
            "operation": "UPDATE",
            "properties": [
                {"name": f"account.lock.handler.{k.replace('__', '.')}", "value": v}
                for k, v in properties.items()
            ],
        }
        return await self.admin.call("PATCH", self.connector_url, json=body)

    async def scim_user(self, user_id: str) -> dict[str, Any]:
        response = await self.admin.call("GET", f"/t/{self.name}/scim2/Users/{user_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def set_locked(self, user_id: str, locked: bool) -> httpx.Response:
        body = {
            "schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "value": {WSO2: {"accountLocked": locked}}}],
        }
        return await self.admin.call("PATCH", f"/t/{self.name}/scim2/Users/{user_id}", json=body)

    async def audit(self, action: str) -> list[dict[str, Any]]:
        response = await self.admin.call(
            "GET",
            f"/t/{self.name}/api/server/v1/audit-logs",
            params={"filter": f"action eq {action}"},
        )
        assert response.status_code == 200, response.text
        return list(response.json()["auditLogs"])


def is_locked(user: dict[str, Any]) -> bool:
    return bool((user.get(WSO2) or {}).get("accountLocked"))


async def password_app(admin: Admin) -> dict[str, Any]:
    body = {
        "name": "password-app",
        "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
    }
    return await admin.new_app(body)


async def open_org(http: httpx.AsyncClient, org: str = "default") -> Org:
    admin = Admin(http, bearer(await get_token(http, SCOPES, org=org)), org=org)
    return Org(admin, await password_app(admin))


@pytest.fixture
async def org(make_app: AppFactory) -> Org:
    _app, http = await make_app()
    return await open_org(http)
