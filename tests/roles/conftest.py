"""Roles fixtures: the real app, an admin with role, user, group and management scopes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token

ROLE_SCOPES = " ".join(
    f"internal_role_mgt_{action}" for action in ("view", "create", "update", "delete")
)
ADMIN_SCOPES = " ".join(
    [
        ROLE_SCOPES,
        "internal_user_mgt_create internal_user_mgt_view internal_user_mgt_list",
        "internal_user_mgt_update internal_api_resource_view",
        "internal_group_mgt_create internal_group_mgt_update internal_group_mgt_view",
        "internal_application_mgt_create internal_application_mgt_view",
        "internal_application_mgt_update internal_api_resource_create",
    ]
)
ROLE_SCHEMA = "urn:ietf:params:scim:schemas:extension:2.0:Role"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
PASSWORD = "Secret-Passw0rd"


@dataclass
class Admin:
    http: httpx.AsyncClient
    headers: dict[str, str]
    org: str = "default"

    @property
    def roles(self) -> str:
        return f"/t/{self.org}/scim2/v2/Roles"

    async def call(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {**self.headers, **kw.pop("headers", {})}
        return await self.http.request(method, path, headers=headers, **kw)

    async def create_role(self, name: str, **extra: Any) -> httpx.Response:
        body = {"schemas": [ROLE_SCHEMA], "displayName": name, **extra}
        return await self.call("POST", self.roles, json=body)

    async def role(self, name: str, **extra: Any) -> dict[str, Any]:
        response = await self.create_role(name, **extra)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def patch_role(self, role_id: str, *ops: dict[str, Any]) -> httpx.Response:
        body = {"schemas": [PATCH], "Operations": list(ops)}
        return await self.call("PATCH", f"{self.roles}/{role_id}", json=body)

    async def new_app(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST an application (201) and return the created one."""
        response = await self.call("POST", f"/t/{self.org}/api/server/v1/applications", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def user(self, name: str) -> str:
        body = {"userName": name, "password": PASSWORD}
        response = await self.call("POST", f"/t/{self.org}/scim2/Users", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def group(self, name: str, *members: str) -> str:
        body = {"displayName": name, "members": [{"value": m} for m in members]}
        response = await self.call("POST", f"/t/{self.org}/scim2/Groups", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def api(self, identifier: str, *scopes: str) -> str:
        body = {
            "name": identifier,
            "identifier": identifier,
            "scopes": [{"name": s} for s in scopes],
        }
        url = f"/t/{self.org}/api/server/v1/api-resources"
        response = await self.call("POST", url, json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    async def app(self, name: str, api_id: str, scopes: list[str], audience: str) -> dict[str, Any]:
        """A confidential app with the password grant, authorized for `scopes` of `api_id`."""
        body = {
            "name": name,
            "associatedRoles": {"allowedAudience": audience},
            "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
        }
        apps = f"/t/{self.org}/api/server/v1/applications"
        response = await self.call("POST", apps, json=body)
        assert response.status_code == 201, response.text
        created = dict(response.json())
        authorize = {"id": api_id, "policyIdentifier": "RBAC", "scopes": scopes}
        url = f"{apps}/{created['id']}/authorized-apis"
        response = await self.call("POST", url, json=authorize)
        assert response.status_code == 201, response.text
        return created


@dataclass
class Bookings:
    """Issue 7's scenario: an app authorized for bookings:read and bookings:write, the
    user kate in the group travellers, and the application role reader (bookings:read)
    held by nobody yet."""

    app: dict[str, Any]
    user: str
    group: str
    role: dict[str, Any]


async def bookings(admin: Admin) -> Bookings:
    api = await admin.api("https://bookings.example", "bookings:read", "bookings:write")
    app = await admin.app("bookings", api, ["bookings:read", "bookings:write"], "APPLICATION")
    user = await admin.user("kate")
    group = await admin.group("travellers", user)
    audience = {"value": app["id"], "type": "application"}
    role = await admin.role("reader", audience=audience, permissions=["bookings:read"])
    return Bookings(app, user, group, role)


async def password_token(
    http: httpx.AsyncClient, app: dict[str, Any], user: str, scope: str, **kw: Any
) -> httpx.Response:
    org = kw.pop("org", "default")
    data = {"grant_type": "password", "username": user, "password": kw.pop("password", PASSWORD)}
    if scope:
        data["scope"] = scope
    return await http.post(
        f"/t/{org}/oauth2/token",
        data=data,
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )


async def granted(
    http: httpx.AsyncClient, app: dict[str, Any], user: str, scope: str, **kw: Any
) -> set[str]:
    response = await password_token(http, app, user, scope, **kw)
    assert response.status_code == 200, response.text
    return set(str(response.json().get("scope", "")).split())


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert ERROR in body["schemas"]
    assert body["status"] == str(status)
    if scim_type:
        assert body.get("scimType") == scim_type, body


@pytest.fixture
async def admin(make_app: AppFactory) -> Admin:
    _app, http = await make_app()
    return Admin(http, bearer(await get_token(http, ADMIN_SCOPES)))
