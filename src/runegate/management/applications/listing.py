"""GET /applications: offset pagination, filters on name and clientId, attributes."""

from __future__ import annotations

from dataclasses import dataclass

from runegate.management.applications import errors as app_errors
from runegate.management.applications import views
from runegate.management.applications.schemas import ApplicationList
from runegate.management.common.filters import filter_condition
from runegate.management.common.pagination import offset_links
from runegate.state import AppState
from runegate.storage.models.application import Application
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.tenancy.context import TenantContext

FILTER_COLUMNS = {"name": Application.name, "clientId": Application.client_id}


@dataclass(frozen=True, slots=True)
class ListQuery:
    limit: int = 30
    offset: int = 0
    filter: str | None = None
    sort_order: str | None = None
    sort_by: str | None = None
    attributes: str | None = None


def parse_attributes(text: str | None) -> frozenset[str]:
    if not text:
        return frozenset()
    names = frozenset(a.strip() for a in text.split(",") if a.strip())
    unknown = names - views.OPTIONAL_ATTRIBUTES
    if unknown:
        allowed = ", ".join(sorted(views.OPTIONAL_ATTRIBUTES))
        raise app_errors.INVALID_REQUEST.error(
            reason=f"Unsupported attributes: {', '.join(sorted(unknown))[:200]}. Use {allowed}."
        )
    return names


async def list_applications(
    *, state: AppState, tenant: TenantContext, query: ListQuery
) -> ApplicationList:
    if query.sort_by not in (None, "name"):
        raise app_errors.INVALID_SORT.error()
    descending = query.sort_order == "DESC"
    attributes = parse_attributes(query.attributes)
    condition = filter_condition(query.filter, FILTER_COLUMNS, app_errors.INVALID_FILTER)
    async with state.db.read() as session:
        apps = ApplicationRepository(session, tenant=tenant)
        stmt = apps.visible().where(Application.is_system.is_(False))  # Console etc. hidden
        if condition is not None:
            stmt = stmt.where(condition)
        total = await apps.count(stmt)
        order = Application.name.desc() if descending else Application.name
        page = stmt.order_by(order, Application.id)
        rows = await apps.list(page.offset(query.offset).limit(query.limit))
    items = [views.to_list_item(app, tenant, attributes) for app in rows]
    params = {"filter": query.filter or "", "attributes": query.attributes or ""}
    links = offset_links(
        views.apps_path(tenant),
        offset=query.offset,
        limit=query.limit,
        total=total,
        query=params,
    )
    return ApplicationList(
        totalResults=total,
        startIndex=query.offset + 1,
        count=len(items),
        applications=items,
        links=links,
    )
