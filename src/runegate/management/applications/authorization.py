"""API authorization of an application: which API resources, and which of their scopes,
it may get tokens for. A new application is authorized for nothing (CONTRACT §4.2)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.management.applications import errors as app_errors
from runegate.management.applications.schemas import AuthorizedApi
from runegate.management.applications.schemas import AuthorizedApiCreate
from runegate.management.applications.schemas import AuthorizedApiPatch
from runegate.management.applications.schemas import AuthorizedScopeItem
from runegate.management.applications.service import load
from runegate.management.common.unit_of_work import config_write
from runegate.state import AppState
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.repositories.api_resources import ApiResourceRepository
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext


async def list_authorized(
    *, state: AppState, tenant: TenantContext, app_id: str
) -> list[AuthorizedApi]:
    async with state.db.read() as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        grants = await apps.authorized_apis(app.id)
        scopes = await apps.authorized_scopes(app.id)
        resources = ApiResourceRepository(session, tenant=tenant)
        out = []
        for grant in sorted(grants, key=lambda g: g.created_at):
            resource = await resources.find(grant.api_resource_id)
            if resource is None:
                continue
            mine = [s for s in scopes if s.api_resource_id == resource.id]
            out.append(to_authorized(resource, grant.policy_id, mine))
    return out


def to_authorized(resource: ApiResource, policy: str, scopes: Sequence[ApiScope]) -> AuthorizedApi:
    return AuthorizedApi(
        id=resource.id,
        identifier=resource.identifier,
        displayName=resource.name,
        policyId=policy,
        type=resource.type,
        authorizedScopes=[
            AuthorizedScopeItem(id=s.id, name=s.name, displayName=s.display_name or s.name)
            for s in sorted(scopes, key=lambda s: s.name)
        ],
    )


async def resource_scopes(
    session: AsyncSession, tenant: TenantContext, api_id: str, names: Sequence[str]
) -> tuple[ApiResource, list[ApiScope]]:
    """The API resource (404 unless in this organization) and the named scopes of it."""
    resource = await ApiResourceRepository(session, tenant=tenant).find(api_id)
    if resource is None:
        raise app_errors.API_NOT_FOUND.error(api_id=api_id)
    scopes = await ScopeRepository(session, tenant=tenant).of_resource(resource.id)
    by_name = {s.name: s for s in scopes}
    unknown = [n for n in dict.fromkeys(names) if n not in by_name]
    if unknown:
        raise app_errors.INVALID_SCOPES.error(api_id=api_id, names=", ".join(unknown)[:300])
    return resource, [by_name[n] for n in dict.fromkeys(names)]


async def authorize(
    *, state: AppState, tenant: TenantContext, app_id: str, body: AuthorizedApiCreate
) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        resource, scopes = await resource_scopes(session, tenant, body.id, body.scopes)
        if any(g.api_resource_id == resource.id for g in await apps.authorized_apis(app.id)):
            raise app_errors.API_ALREADY_AUTHORIZED.error(api_id=resource.id)
        await apps.authorize(app.id, resource.id, scopes, policy_id=body.policyIdentifier)
        await audit.record(
            session,
            tenant=tenant,
            action="application.api.authorize",
            target_type="application",
            target_id=app.id,
        )


async def patch_authorized(
    *, state: AppState, tenant: TenantContext, app_id: str, api_id: str, body: AuthorizedApiPatch
) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        names = [*body.addedScopes, *body.removedScopes]
        resource, _ = await resource_scopes(session, tenant, api_id, names)
        grants = await apps.authorized_apis(app.id)
        grant = next((g for g in grants if g.api_resource_id == resource.id), None)
        if grant is None:
            raise app_errors.API_NOT_AUTHORIZED.error(api_id=api_id)
        _, removed = await resource_scopes(session, tenant, api_id, body.removedScopes)
        await apps.remove_scopes(app.id, [s.id for s in removed])
        _, added = await resource_scopes(session, tenant, api_id, body.addedScopes)
        await apps.authorize(app.id, resource.id, added, policy_id=grant.policy_id)
        await audit.record(
            session,
            tenant=tenant,
            action="application.api.update",
            target_type="application",
            target_id=app.id,
        )


async def unauthorize(*, state: AppState, tenant: TenantContext, app_id: str, api_id: str) -> None:
    async with config_write(state) as session:
        apps = ApplicationRepository(session, tenant=tenant)
        app = await load(apps, app_id)
        if not await apps.unauthorize(app.id, api_id):
            raise app_errors.API_NOT_AUTHORIZED.error(api_id=api_id)
        await audit.record(
            session,
            tenant=tenant,
            action="application.api.unauthorize",
            target_type="application",
            target_id=app.id,
        )
