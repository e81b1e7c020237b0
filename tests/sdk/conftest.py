"""Fixtures of the SDK compatibility tests: a live `runegate serve` (SQLite: these slow
tests run once, not per database backend) with a user and an application set up the way
Asgardeo's guides set one up, authorized for `/scim2/Me` (`internal_login`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import missing_tool
from tests.live.server import free_port
from tests.live.server import live_server

ORG = "default"
USER = "grace"
PASSWORD = "Compiler-A0-1952"
ADMIN_SCOPES = (
    "internal_application_mgt_create internal_application_mgt_update "
    "internal_user_mgt_create internal_api_resource_view"
)


def require_tool(name: str, fallback: str | None = None) -> str:
    """The tool's path; under CI=true a missing tool fails the test instead of skipping."""
    found = shutil.which(name) or (fallback if fallback and Path(fallback).exists() else None)
    if found is None:
        missing_tool(f"{name} is missing (needed by the SDK compatibility tests)")
    return found


@dataclass(frozen=True)
class Live:
    base: str  # http://127.0.0.1:port
    tmp: Path

    @property
    def org_url(self) -> str:
        return f"{self.base}/t/{ORG}"

    def admin(self) -> httpx.Client:
        token = httpx.post(
            f"{self.org_url}/oauth2/token",
            data={"grant_type": "client_credentials", "scope": ADMIN_SCOPES},
            auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
        )
        assert token.status_code == 200, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return httpx.Client(base_url=self.org_url, headers=headers)


@dataclass(frozen=True)
class SdkApp:
    user_id: str
    client_id: str
    client_secret: str
    callback: str


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    with live_server(f"sqlite:///{tmp_path}/sdk.db", tmp_path, port=free_port()) as (base, _):
        yield Live(base, tmp_path)


def create_user(admin: httpx.Client) -> str:
    user = admin.post(
        "/scim2/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": USER,
            "password": PASSWORD,
            "name": {"givenName": "Grace", "familyName": "Hopper"},
            "emails": [{"value": "grace@example.com", "primary": True}],
        },
    )
    assert user.status_code == 201, user.text
    return str(user.json()["id"])


def create_app(
    admin: httpx.Client, callbacks: list[str], advanced: dict[str, Any]
) -> dict[str, Any]:
    """An OIDC application with the code and refresh grants, authorized for /scim2/Me."""
    app = admin.post(
        "/api/server/v1/applications",
        json={
            "name": "SDK compatibility app",
            "inboundProtocolConfiguration": {
                "oidc": {
                    "grantTypes": ["authorization_code", "refresh_token"],
                    "callbackURLs": callbacks,
                }
            },
            "advancedConfigurations": advanced,
            "claimConfiguration": {
                "requestedClaims": [{"claim": {"uri": "http://wso2.org/claims/emailaddress"}}]
            },
        },
    )
    assert app.status_code == 201, app.text
    resources = admin.get(
        "/api/server/v1/api-resources", params={"filter": "identifier eq /scim2/Me"}
    )
    assert resources.status_code == 200, resources.text
    me_api = resources.json()["APIResources"][0]["id"]
    authorized = admin.post(
        f"/api/server/v1/applications/{app.json()['id']}/authorized-apis",
        json={"id": me_api, "policyIdentifier": "RBAC", "scopes": ["internal_login"]},
    )
    assert authorized.status_code == 201, authorized.text
    return dict(app.json())


def setup_app(
    live: Live, callback: str, *, extra_callbacks: tuple[str, ...] = (), **advanced: Any
) -> SdkApp:
    with live.admin() as admin:
        user_id = create_user(admin)
        app = create_app(admin, [callback, *extra_callbacks], advanced)
    return SdkApp(user_id, app["clientId"], app["clientSecret"], callback)
