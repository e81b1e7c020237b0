"""Rows to wire models for the API resource management API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.management.api_resources.schemas import ApiResourceListItem
from runegate.management.api_resources.schemas import ApiResourceResponse
from runegate.management.api_resources.schemas import Property
from runegate.management.api_resources.schemas import ScopeItem
from runegate.management.api_resources.schemas import SubscribedApplication
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext


def resources_path(tenant: TenantContext) -> str:
    return f"/t/{tenant.root_name}/api/server/v1/api-resources"


def scope_item(scope: ApiScope) -> ScopeItem:
    return ScopeItem(
        id=scope.id,
        name=scope.name,
        displayName=scope.display_name or scope.name,
        description=scope.description,
    )


def properties(resource: ApiResource) -> list[Property]:
    raw: list[Any] = resource.properties or []
    return [Property(name=str(p["name"]), value=str(p["value"])) for p in raw if "name" in p]


async def to_response(
    session: AsyncSession, tenant: TenantContext, resource: ApiResource
) -> ApiResourceResponse:
    scopes = ScopeRepository(session, tenant=tenant)
    apps = ApplicationRepository(session, tenant=tenant)
    subscribed = []
    for app_id in await scopes.subscribed_application_ids(resource.id):
        app = await apps.find(app_id)
        if app is not None:
            subscribed.append(SubscribedApplication(id=app.id, name=app.name))
    return ApiResourceResponse(
        id=resource.id,
        name=resource.name,
        description=resource.description,
        identifier=resource.identifier,
        type=resource.type,
        requiresAuthorization=resource.requires_authorization,
        scopes=[scope_item(s) for s in await scopes.of_resource(resource.id)],
        subscribedApplications=sorted(subscribed, key=lambda a: a.name),
        properties=properties(resource),
        self=f"{resources_path(tenant)}/{resource.id}",
    )


def to_list_item(
    resource: ApiResource, tenant: TenantContext, with_properties: bool
) -> ApiResourceListItem:
    return ApiResourceListItem(
        id=resource.id,
        name=resource.name,
        identifier=resource.identifier,
        type=resource.type,
        requiresAuthorization=resource.requires_authorization,
        properties=properties(resource) if with_properties else None,
        self=f"{resources_path(tenant)}/{resource.id}",
    )
