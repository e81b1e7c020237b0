"""SCIM fixtures: the real app, an admin token with every SCIM scope, helpers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import AppFactory
from tests.conftest import bearer
from tests.conftest import get_token

SCIM_SCOPES = " ".join(
    [
        "internal_user_mgt_list",
        "internal_user_mgt_view",
        "internal_user_mgt_create",
        "internal_user_mgt_update",
        "internal_user_mgt_delete",
        "internal_group_mgt_view",
        "internal_group_mgt_create",
        "internal_group_mgt_update",
        "internal_group_mgt_delete",
        "internal_bulk_resource_create",
    ]
)
BASE = "/t/default/scim2"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_JSON = "application/scim+json"


@dataclass
class Scim:
    http: httpx.AsyncClient
    headers: dict[str, str]

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return await self.http.request(method, f"{BASE}{path}", headers=headers, **kwargs)

    async def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, json=body, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def patch(self, path: str, operations: list[dict[str, Any]], **kw: Any) -> httpx.Response:
        return await self.request(
            "PATCH", path, json={"schemas": [PATCH], "Operations": operations}, **kw
        )

    async def user(self, user_name: str, **attrs: Any) -> dict[str, Any]:
        body = {"schemas": [USER], "userName": user_name, "password": "Secret-Passw0rd", **attrs}
        response = await self.post("/Users", body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def group(self, name: str, members: list[str] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"schemas": [GROUP], "displayName": name}
        if members:
            body["members"] = [{"value": m} for m in members]
        response = await self.post("/Groups", body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def filter(self, expression: str, **params: Any) -> httpx.Response:
        return await self.get("/Users", params={"filter": expression, **params})

    async def names(self, expression: str, **params: Any) -> list[str]:
        response = await self.filter(expression, **params)
        assert response.status_code == 200, response.text
        return [r["userName"] for r in response.json()["Resources"]]


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    body = response.json()
    assert body["schemas"] == [ERROR]
    assert body["status"] == str(status)
    assert body.get("scimType") == scim_type


@pytest.fixture
async def scim(make_app: AppFactory) -> Scim:
    _app, http = await make_app()
    token = await get_token(http, SCIM_SCOPES)
    return Scim(http, bearer(token))
