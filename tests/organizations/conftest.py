"""Helpers for the B2B organization tests: a root administrator client with the
organization scopes, and sub-organization creation through the real API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import AppFactory
from tests.conftest import get_token
from tests.management.conftest import Admin

ORGS = "/t/default/api/server/v1/organizations"
ORG_SCOPES = " ".join(
    [
        "internal_organization_view",
        "internal_organization_create",
        "internal_organization_update",
        "internal_organization_delete",
        "internal_application_mgt_view",
        "internal_application_mgt_create",
        "internal_application_mgt_update",
        "internal_application_mgt_delete",
        "internal_shared_application_create",
        "internal_shared_application_view",
        "internal_shared_application_delete",
        "internal_api_resource_view",
        "internal_user_mgt_create",
        "internal_user_mgt_list",
    ]
)


class OrgAdmin(Admin):
    async def create_org(self, name: str, **body: Any) -> dict[str, Any]:
        response = await self.post(ORGS, json={"name": name, **body})
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
async def orgs(make_app: AppFactory) -> OrgAdmin:
    _app, http = await make_app()
    return OrgAdmin(http, await get_token(http, ORG_SCOPES))
