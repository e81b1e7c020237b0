"""`GET /t/{root}/api/users/v1/me/organizations`: the sub-organizations the signed-in user
may act in (the ones the organization switch grant lets them into): every organization
below their own when they administer it, else the subtrees of the organizations they
created. Scope `internal_login`; name-ordered Base64 cursors, filters as the list."""

from __future__ import annotations

from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select

from runegate.management.common.filters import filter_condition
from runegate.management.common.pagination import cursor_links
from runegate.management.organizations import errors
from runegate.management.organizations import views
from runegate.management.organizations.listing import COLUMNS
from runegate.management.organizations.listing import OrgQuery
from runegate.management.organizations.listing import page
from runegate.management.organizations.schemas import OrganizationList
from runegate.roles.resolve import is_administrator
from runegate.state import AppState
from runegate.storage.models.organization import Organization
from runegate.storage.models.user import User
from runegate.storage.repositories.organizations import SubOrganizations
from runegate.storage.repositories.organizations import descendants_of
from runegate.tenancy.context import TenantContext


async def my_organizations(
    *, state: AppState, tenant: TenantContext, user_id: str | None, query: OrgQuery
) -> OrganizationList:
    condition = filter_condition(query.filter, COLUMNS, errors.INVALID_FILTER, ordered=True)
    async with state.db.read() as session:
        user = await session.scalar(
            select(User).where(User.id == (user_id or ""), User.org_id == tenant.org_id)
        )
        if user is None:
            return OrganizationList()
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        home = await orgs.acting()
        stmt = orgs.below(home, recursive=True)
        if not await is_administrator(session, home.id, user.id):
            created = await orgs.rows(stmt.where(Organization.created_by == user.id))
            subtrees = [descendants_of(o.path) for o in created]
            stmt = stmt.where(or_(*subtrees) if subtrees else false())
        if condition is not None:
            stmt = stmt.where(condition)
        rows = list(await orgs.rows(page(stmt, query).limit(query.limit + 1)))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    if query.before:
        rows.reverse()
    links = cursor_links(
        f"/t/{tenant.root_name}/api/users/v1/me/organizations",
        first=rows[0].name if rows else None,
        last=rows[-1].name if rows else None,
        has_before=bool(query.before and more) or bool(query.after),
        has_after=bool(query.before) or more,
        limit=query.limit,
        query={"filter": query.filter or ""},
    )
    return OrganizationList(links=links, organizations=[views.to_basic(o, tenant) for o in rows])
