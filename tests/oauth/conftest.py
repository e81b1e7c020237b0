"""Fixtures for the token service tests: applications and API resources made directly
through the repositories (the management API is its own surface)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from runegate.crypto.hashing import keyed_hash
from runegate.oauth.app_defaults import default_oidc
from runegate.oauth.service import server_of
from runegate.state import AppState
from runegate.storage import changes
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext
from tests.conftest import SECRET_KEY


@dataclass
class Client:
    id: str
    client_id: str
    secret: str


def state_of(app: FastAPI) -> AppState:
    return app.state.runegate  # type: ignore[no-any-return]


async def root_tenant(app: FastAPI, org: str = "default") -> TenantContext:
    tenant = await state_of(app).find_tenant(org)
    assert tenant is not None
    return tenant


async def make_resource(
    app: FastAPI, identifier: str, scopes: Sequence[str], org: str = "default"
) -> list[ApiScope]:
    state = state_of(app)
    tenant = await root_tenant(app, org)
    async with state.db.write() as session:
        resource = ApiResource(org_id=tenant.org_id, name=identifier, identifier=identifier)
        session.add(resource)
        await session.flush()
        rows = [
            ApiScope(org_id=tenant.org_id, api_resource_id=resource.id, name=name)
            for name in scopes
        ]
        session.add_all(rows)
        await session.flush()
    return rows


async def make_client(
    app: FastAPI,
    name: str,
    *,
    scopes: Sequence[ApiScope] = (),
    grant_types: Sequence[str] = ("client_credentials",),
    public: bool = False,
    org: str = "default",
    access_token: dict[str, Any] | None = None,
    client_auth: dict[str, Any] | None = None,
    certificate: dict[str, str] | None = None,
) -> Client:
    """An application authorized for `scopes` (all of one resource each)."""
    state = state_of(app)
    tenant = await root_tenant(app, org)
    secret = f"{name}-secret-0123456789abcdef0123456789"
    oidc = default_oidc(list(grant_types), public_client=public)
    oidc["accessToken"].update(access_token or {})
    oidc["clientAuthentication"].update(client_auth or {})
    settings = {"advancedConfigurations": {"certificate": certificate}} if certificate else {}
    async with state.db.write() as session:
        apps = ApplicationRepository(session, tenant=tenant)
        row = await apps.add(
            Application(
                name=name,
                client_id=f"{name}-client",
                client_secret_hash=None if public else keyed_hash(SECRET_KEY.encode(), secret),
                public_client=public,
                oidc=oidc,
                settings=settings,
            )
        )
        by_resource: dict[str, list[ApiScope]] = {}
        for scope in scopes:
            by_resource.setdefault(scope.api_resource_id, []).append(scope)
        for resource_id, granted in by_resource.items():
            await apps.authorize(row.id, resource_id, granted)
        await changes.bump(session)
    state.caches.invalidate()
    return Client(row.id, row.client_id, secret)


async def update_app(app: FastAPI, client: Client, **values: Any) -> None:
    """Change application columns the way a management service would (bump + invalidate)."""
    state = state_of(app)
    tenant = await root_tenant(app)
    async with state.db.write() as session:
        await ApplicationRepository(session, tenant=tenant).update_where(client.id, **values)
        await changes.bump(session)
    state.caches.invalidate()


__all__ = ["server_of"]
