"""The system API resources every organization gets, from `data/system_api_resources.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.base import new_id
from runegate.storage.repositories.api_resources import ApiResourceRepository
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext

SYSTEM = "SYSTEM"


@dataclass(frozen=True, slots=True)
class SystemScope:
    name: str
    display_name: str


@dataclass(frozen=True, slots=True)
class SystemApi:
    identifier: str
    name: str
    description: str
    scopes: tuple[SystemScope, ...]


@cache
def system_apis() -> tuple[SystemApi, ...]:
    raw = json.loads(
        resources.files("runegate").joinpath("data/system_api_resources.json").read_text()
    )
    return tuple(
        SystemApi(
            identifier=item["identifier"],
            name=item["name"],
            description=item["description"],
            scopes=tuple(SystemScope(s["name"], s["displayName"]) for s in item["scopes"]),
        )
        for item in raw["apiResources"]
    )


async def ensure_system_apis(session: AsyncSession, tenant: TenantContext) -> list[ApiResource]:
    """Create or update the system API resources and their scopes (converging).

    Two selects and at most two batched inserts, whatever the number of resources: an
    organization is provisioned in one short transaction."""
    apis = ApiResourceRepository(session, tenant=tenant)
    scopes = ScopeRepository(session, tenant=tenant)
    specs = system_apis()
    identifiers = [spec.identifier for spec in specs]
    existing = {
        r.identifier: r
        for r in await apis.list(apis.select().where(ApiResource.identifier.in_(identifiers)))
    }
    names = [s.name for spec in specs for s in spec.scopes]
    existing_scopes = {
        s.name: s for s in await scopes.list(scopes.select().where(ApiScope.name.in_(names)))
    }
    out: list[ApiResource] = []
    new_resources: list[ApiResource] = []
    new_scopes: list[ApiScope] = []
    for spec in specs:
        resource = existing.get(spec.identifier)
        if resource is None:
            resource = ApiResource(
                id=new_id(),
                identifier=spec.identifier,
                name=spec.name,
                description=spec.description,
                type=SYSTEM,
                requires_authorization=True,
            )
            new_resources.append(resource)
        else:
            resource.name, resource.description, resource.type = (
                spec.name,
                spec.description,
                SYSTEM,
            )
        for scope_spec in spec.scopes:
            scope = existing_scopes.get(scope_spec.name)
            if scope is None:
                new_scopes.append(
                    ApiScope(
                        api_resource_id=resource.id,
                        name=scope_spec.name,
                        display_name=scope_spec.display_name,
                    )
                )
            else:
                scope.api_resource_id = resource.id
                scope.display_name = scope_spec.display_name
        out.append(resource)
    # Resources first: the scopes reference them.
    await apis.add_many(new_resources)
    await scopes.add_many(new_scopes)
    return out


async def authorize_system_apis(
    session: AsyncSession, tenant: TenantContext, application_id: str
) -> None:
    """Authorize the application for every scope of every system API resource."""
    apps = ApplicationRepository(session, tenant=tenant)
    scopes = ScopeRepository(session, tenant=tenant)
    for resource in await ensure_system_apis(session, tenant):
        await apps.authorize(application_id, resource.id, await scopes.of_resource(resource.id))
    await apps.flush()
