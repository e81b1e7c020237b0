"""API resource management: create, get, patch, delete, and the scopes of a resource.

Scope names are unique within an organization (409). System API resources (type
SYSTEM, from bootstrap) are read-only. Deleting a resource or a scope removes it from
every application's authorization.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.management.api_resources import errors as api_errors
from runegate.management.api_resources import views
from runegate.management.api_resources.schemas import ApiResourceCreate
from runegate.management.api_resources.schemas import ApiResourcePatch
from runegate.management.api_resources.schemas import ApiResourceResponse
from runegate.management.api_resources.schemas import ScopeCreate
from runegate.management.api_resources.schemas import ScopeItem
from runegate.management.common.unit_of_work import config_write
from runegate.state import AppState
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.repositories.api_resources import ApiResourceRepository
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.system_apis import SYSTEM


async def load(session: AsyncSession, tenant: TenantContext, api_id: str) -> ApiResource:
    resource = await ApiResourceRepository(session, tenant=tenant).find(api_id)
    if resource is None:
        raise api_errors.NOT_FOUND.error(api_id=api_id)
    return resource


async def load_writable(session: AsyncSession, tenant: TenantContext, api_id: str) -> ApiResource:
    resource = await load(session, tenant, api_id)
    if resource.type == SYSTEM:
        raise api_errors.SYSTEM_READ_ONLY.error(api_id=api_id)
    return resource


def check_distinct(scopes: Sequence[ScopeCreate]) -> None:
    seen: set[str] = set()
    for scope in scopes:
        if scope.name in seen:
            raise api_errors.DUPLICATE_SCOPES.error(name=scope.name)
        seen.add(scope.name)


async def add_scopes(
    scopes: ScopeRepository, resource: ApiResource, new: Sequence[ScopeCreate]
) -> None:
    check_distinct(new)
    for scope in new:
        if await scopes.find_by_name(scope.name) is not None:
            raise api_errors.SCOPE_EXISTS.error(name=scope.name)
        await scopes.add(
            ApiScope(
                api_resource_id=resource.id,
                name=scope.name,
                display_name=scope.displayName or scope.name,
                description=scope.description,
            )
        )


async def create_resource(
    *, state: AppState, tenant: TenantContext, body: ApiResourceCreate
) -> ApiResourceResponse:
    async with config_write(state) as session:
        resources = ApiResourceRepository(session, tenant=tenant)
        if await resources.find_by_identifier(body.identifier) is not None:
            raise api_errors.IDENTIFIER_EXISTS.error(identifier=body.identifier)
        resource = await resources.add(
            ApiResource(
                name=body.name,
                identifier=body.identifier,
                description=body.description,
                type="BUSINESS",
                requires_authorization=body.requiresAuthorization,
            )
        )
        await add_scopes(ScopeRepository(session, tenant=tenant), resource, body.scopes)
        await audit.record(
            session,
            tenant=tenant,
            action="api_resource.create",
            target_type="api_resource",
            target_id=resource.id,
        )
        return await views.to_response(session, tenant, resource)


async def get_resource(
    *, state: AppState, tenant: TenantContext, api_id: str
) -> ApiResourceResponse:
    async with state.db.read() as session:
        resource = await load(session, tenant, api_id)
        return await views.to_response(session, tenant, resource)


async def patch_resource(
    *, state: AppState, tenant: TenantContext, api_id: str, body: ApiResourcePatch
) -> None:
    if body.removedScopes:
        raise api_errors.NOT_SUPPORTED.error(field="removedScopes")
    async with config_write(state) as session:
        resource = await load_writable(session, tenant, api_id)
        if body.name is not None:
            resource.name = body.name
        if "description" in body.model_fields_set:
            resource.description = body.description
        await add_scopes(ScopeRepository(session, tenant=tenant), resource, body.addedScopes)
        await ApiResourceRepository(session, tenant=tenant).flush()
        await audit.record(
            session,
            tenant=tenant,
            action="api_resource.update",
            target_type="api_resource",
            target_id=resource.id,
        )


async def delete_resource(*, state: AppState, tenant: TenantContext, api_id: str) -> None:
    async with config_write(state) as session:
        await load_writable(session, tenant, api_id)
        await ScopeRepository(session, tenant=tenant).delete_resource(api_id)
        await audit.record(
            session,
            tenant=tenant,
            action="api_resource.delete",
            target_type="api_resource",
            target_id=api_id,
        )


async def get_scopes(*, state: AppState, tenant: TenantContext, api_id: str) -> list[ScopeItem]:
    async with state.db.read() as session:
        await load(session, tenant, api_id)
        rows = await ScopeRepository(session, tenant=tenant).of_resource(api_id)
    return [views.scope_item(s) for s in rows]


async def put_scopes(
    *, state: AppState, tenant: TenantContext, api_id: str, body: Sequence[ScopeCreate]
) -> None:
    """Replace the scope list: kept names keep their ids, others are added or removed."""
    check_distinct(body)
    async with config_write(state) as session:
        resource = await load_writable(session, tenant, api_id)
        scopes = ScopeRepository(session, tenant=tenant)
        existing = {s.name: s for s in await scopes.of_resource(api_id)}
        wanted = {s.name for s in body}
        await scopes.delete_scopes([s.id for n, s in existing.items() if n not in wanted])
        for scope in body:
            row = existing.get(scope.name)
            if row is None:
                await add_scopes(scopes, resource, [scope])
            else:
                row.display_name = scope.displayName or scope.name
                row.description = scope.description
        await scopes.flush()
        await audit.record(
            session,
            tenant=tenant,
            action="api_resource.scopes.replace",
            target_type="api_resource",
            target_id=api_id,
        )


async def delete_scope(*, state: AppState, tenant: TenantContext, api_id: str, name: str) -> None:
    async with config_write(state) as session:
        await load_writable(session, tenant, api_id)
        scopes = ScopeRepository(session, tenant=tenant)
        row = await scopes.find_by_name(name)
        if row is None or row.api_resource_id != api_id:
            raise api_errors.SCOPE_NOT_FOUND.error(api_id=api_id, name=name)
        await scopes.delete_scopes([row.id])
        await audit.record(
            session,
            tenant=tenant,
            action="api_resource.scope.delete",
            target_type="api_resource",
            target_id=api_id,
        )
