"""Application sharing with sub-organizations (`/applications/{id}/share`, `shared-apps`).

A shared application signs in the users of the sub-organization and exchanges tokens
for it (the organization switch grant); it stays one application of the root
organization (same id and client id in every organization it is shared with).
Stopping a share revokes the tokens the application issued in that organization.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.management.applications import errors as app_errors
from runegate.management.applications.schemas import ApplicationShareRequest
from runegate.management.applications.schemas import SharedApplication
from runegate.management.applications.schemas import SharedApplications
from runegate.management.applications.schemas import SharedOrganizations
from runegate.management.applications.service import load
from runegate.management.common.unit_of_work import config_write
from runegate.management.organizations import views as org_views
from runegate.state import AppState
from runegate.storage.models.application import Application
from runegate.storage.models.organization import Organization
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.storage.repositories.applications import ShareRepository
from runegate.storage.repositories.organizations import SubOrganizations
from runegate.tenancy.context import TenantContext


async def _shared_orgs(
    session: AsyncSession, tenant: TenantContext, app: Application
) -> Sequence[Organization]:
    orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
    below = orgs.below(await orgs.acting(), recursive=True)
    if not app.shared_with_all:
        ids = await ShareRepository(session, tenant=tenant).shared_org_ids(app.id)
        below = below.where(Organization.id.in_(ids))
    return await orgs.rows(below.order_by(Organization.name))


async def share(
    *, state: AppState, tenant: TenantContext, app_id: str, body: ApplicationShareRequest
) -> None:
    async with config_write(state) as session:
        app = await load(ApplicationRepository(session, tenant=tenant), app_id)
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        for org_id in body.sharedOrganizations:
            if await orgs.find(org_id) is None:
                raise app_errors.SHARE_TARGET_INVALID.error(org_id=org_id)
        await ShareRepository(session, tenant=tenant).share(app.id, body.sharedOrganizations)
        if body.shareWithAllChildren:
            app.shared_with_all = True
        await audit.record(
            session,
            tenant=tenant,
            action="application.share",
            target_type="application",
            target_id=app.id,
        )


async def shared_organizations(
    *, state: AppState, tenant: TenantContext, app_id: str
) -> SharedOrganizations:
    async with state.db.read() as session:
        app = await load(ApplicationRepository(session, tenant=tenant), app_id)
        rows = await _shared_orgs(session, tenant, app)
    return SharedOrganizations(organizations=[org_views.to_basic(o, tenant) for o in rows])


async def shared_applications(
    *, state: AppState, tenant: TenantContext, app_id: str
) -> SharedApplications:
    async with state.db.read() as session:
        app = await load(ApplicationRepository(session, tenant=tenant), app_id)
        rows = await _shared_orgs(session, tenant, app)
    return SharedApplications(
        sharedApplications=[
            SharedApplication(applicationId=app.id, organizationId=o.id) for o in rows
        ]
    )


async def unshare(
    *, state: AppState, tenant: TenantContext, app_id: str, org_id: str | None
) -> None:
    """Stop sharing with one organization (`org_id`) or with all (None)."""
    async with config_write(state) as session:
        app = await load(ApplicationRepository(session, tenant=tenant), app_id)
        shares = ShareRepository(session, tenant=tenant)
        if org_id is None:
            app.shared_with_all = False
            await shares.unshare(app.id)
        else:
            current = [o.id for o in await _shared_orgs(session, tenant, app)]
            if org_id not in current:
                raise app_errors.SHARE_NOT_FOUND.error(app_id=app_id, org_id=org_id)
            if app.shared_with_all:
                # "All children" minus one becomes the explicit list of the others.
                app.shared_with_all = False
                await shares.share(app.id, [o for o in current if o != org_id])
            await shares.unshare(app.id, [org_id])
        await audit.record(
            session,
            tenant=tenant,
            action="application.unshare",
            target_type="application",
            target_id=app.id,
        )
