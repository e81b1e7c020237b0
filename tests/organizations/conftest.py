"""Helpers for the B2B organization tests: a root administrator client with the
organization scopes, and sub-organization creation through the real API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import AppFactory
from tests.conftest import basic_auth
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


ADMIN_USER, ADMIN_PASSWORD = "admin", "admin-password-for-tests"
ORG_API_SCOPES = {
    "/o/scim2/Users": [
        "internal_org_user_mgt_list",
        "internal_org_user_mgt_view",
        "internal_org_user_mgt_create",
        "internal_org_user_mgt_delete",
    ],
    "/o/scim2/Groups": ["internal_org_group_mgt_view", "internal_org_group_mgt_create"],
    "/o/scim2/Roles": ["internal_org_role_mgt_view", "internal_org_role_mgt_create"],
    "/o/api/server/v1/applications": ["internal_org_application_mgt_view"],
    "/o/api/server/v1/organizations": [
        "internal_org_organization_view",
        "internal_org_organization_create",
    ],
    "/scim2/Users": ["internal_user_mgt_list"],
    "/scim2/Me": ["internal_login"],
}
ALL_ORG_SCOPES = " ".join(s for scopes in ORG_API_SCOPES.values() for s in scopes)


async def b2b_app(orgs: Admin, name: str = "b2b console", **extra: Any) -> dict[str, Any]:
    """A confidential app of the root with the password, client credentials and
    organization switch grants (`extra`: more of the app's body), authorized for the
    organization APIs' scopes."""
    grants = ["password", "client_credentials", "organization_switch"]
    body = {"inboundProtocolConfiguration": {"oidc": {"grantTypes": grants}}, **extra}
    app = await orgs.create_app(name=name, **body)
    apps = "/t/default/api/server/v1/applications"
    for identifier, scopes in ORG_API_SCOPES.items():
        found = await orgs.get(
            "/t/default/api/server/v1/api-resources",
            params={"filter": f"identifier eq {identifier}"},
        )
        api_id = found.json()["APIResources"][0]["id"]
        body = {"id": api_id, "policyIdentifier": "RBAC", "scopes": scopes}
        response = await orgs.post(f"{apps}/{app['id']}/authorized-apis", json=body)
        assert response.status_code == 201, response.text
    return app


async def user_token(http: Any, app: dict[str, Any], username: str, password: str) -> str:
    response = await http.post(
        "/t/default/oauth2/token",
        data={"grant_type": "password", "username": username, "password": password},
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def switch(
    http: Any, app: dict[str, Any], token: str, org_id: str, scope: str = ALL_ORG_SCOPES
) -> Any:
    return await http.post(
        "/t/default/oauth2/token",
        data={
            "grant_type": "organization_switch",
            "token": token,
            "switching_organization": org_id,
            "scope": scope,
        },
        headers=basic_auth(app["clientId"], app["clientSecret"]),
    )
