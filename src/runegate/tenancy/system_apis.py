"""The system API resources every organization gets, from `data/system_api_resources.json`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.repositories.api_resources import ApiResourceRepository
from runegate.storage.repositories.api_resources import ScopeRepository
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
    """Create or update the system API resources and their scopes (converging)."""
    apis = ApiResourceRepository(session, tenant=tenant)
    scopes = ScopeRepository(session, tenant=tenant)
    out: list[ApiResource] = []
    for spec in system_apis():
        resource = await apis.find_by_identifier(spec.identifier)
        if resource is None:
            resource = await apis.add(
                ApiResource(
                    identifier=spec.identifier,
                    name=spec.name,
                    description=spec.description,
                    type=SYSTEM,
                    requires_authorization=True,
                )
            )
        else:
            resource.name, resource.description, resource.type = (
                spec.name,
                spec.description,
                SYSTEM,
            )
        for scope_spec in spec.scopes:
            scope = await scopes.find_by_name(scope_spec.name)
            if scope is None:
                await scopes.add(
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
    await apis.flush()
    return out
