"""Helpers for the management API tests: admin tokens from the bootstrap app."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token

APPS = "/t/default/api/server/v1/applications"
APIS = "/t/default/api/server/v1/api-resources"
SCOPES = "/t/default/api/server/v1/scopes"
ADMIN_SCOPES = " ".join(
    [
        "internal_application_mgt_view",
        "internal_application_mgt_create",
        "internal_application_mgt_update",
        "internal_application_mgt_delete",
        "internal_application_mgt_client_secret_create",
        "internal_api_resource_view",
        "internal_api_resource_create",
        "internal_api_resource_update",
        "internal_api_resource_delete",
    ]
)


class Admin:
    """An httpx client plus a bootstrap token carrying every management scope."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = bearer(token)

    async def get(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.get(url, headers=self.headers, **kw)

    async def post(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.post(url, headers=self.headers, **kw)

    async def put(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.put(url, headers=self.headers, **kw)

    async def patch(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.patch(url, headers=self.headers, **kw)

    async def delete(self, url: str, **kw: Any) -> httpx.Response:
        return await self.http.delete(url, headers=self.headers, **kw)

    async def create_app(self, **body: Any) -> dict[str, Any]:
        response = await self.post(APPS, json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def create_api(self, identifier: str, *scopes: str, **extra: Any) -> dict[str, Any]:
        body = {
            "name": extra.pop("name", identifier),
            "identifier": identifier,
            "scopes": [{"name": s, "displayName": s} for s in scopes],
            **extra,
        }
        response = await self.post(APIS, json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
async def admin(make_app: AppFactory) -> Admin:
    _app, http = await make_app()
    return Admin(http, await get_token(http, ADMIN_SCOPES))


async def client_token(
    http: httpx.AsyncClient, client_id: str, secret: str, scope: str, org: str = "default"
) -> httpx.Response:
    return await http.post(
        f"/t/{org}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scope},
        headers=basic_auth(client_id, secret),
    )
