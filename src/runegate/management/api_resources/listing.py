"""GET /api-resources (Base64 cursors `before`/`after`, filters) and GET /scopes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select

from runegate.management.api_resources import errors as api_errors
from runegate.management.api_resources import views
from runegate.management.api_resources.schemas import ApiResourceList
from runegate.management.api_resources.schemas import ScopeItem
from runegate.management.common.filters import filter_condition
from runegate.management.common.pagination import cursor_links
from runegate.management.common.pagination import keyset
from runegate.state import AppState
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.repositories.api_resources import ApiResourceRepository
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.tenancy.context import TenantContext

RESOURCE_COLUMNS = {
    "name": ApiResource.name,
    "identifier": ApiResource.identifier,
    "type": ApiResource.type,
}
SCOPE_COLUMNS = {"name": ApiScope.name, "displayName": ApiScope.display_name}


@dataclass(frozen=True, slots=True)
class CursorQuery:
    before: str | None = None
    after: str | None = None
    filter: str | None = None
    limit: int = 10
    attributes: str | None = None


def _page(stmt: Select[ApiResource], query: CursorQuery) -> Select[ApiResource]:
    return keyset(
        stmt,
        ApiResource.id,
        before=query.before,
        after=query.after,
        invalid_request=api_errors.INVALID_REQUEST,
        invalid_cursor=api_errors.INVALID_CURSOR,
    )


def check_attributes(text: str | None) -> bool:
    names = {a.strip() for a in (text or "").split(",") if a.strip()}
    if names - {"properties"}:
        raise api_errors.INVALID_REQUEST.error(
            reason="Only the 'properties' attribute is supported."
        )
    return bool(names)


async def list_resources(
    *, state: AppState, tenant: TenantContext, query: CursorQuery
) -> ApiResourceList:
    with_properties = check_attributes(query.attributes)
    condition = filter_condition(query.filter, RESOURCE_COLUMNS, api_errors.INVALID_FILTER)
    async with state.db.read() as session:
        repo = ApiResourceRepository(session, tenant=tenant)
        stmt = repo.select() if condition is None else repo.select().where(condition)
        total = await repo.count(stmt)
        rows = list(await repo.list(_page(stmt, query).limit(query.limit + 1)))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if query.before:
            rows.reverse()
        first = rows[0].id if rows else None
        last = rows[-1].id if rows else None
        has_before = (
            more
            if query.before
            else (first is not None and await repo.count(stmt.where(ApiResource.id < first)) > 0)
        )
        has_after = True if query.before else more
    params = {"filter": query.filter or "", "attributes": query.attributes or ""}
    links = cursor_links(
        views.resources_path(tenant),
        first=first,
        last=last,
        has_before=has_before,
        has_after=has_after and bool(rows),
        limit=query.limit,
        query=params,
    )
    items = [views.to_list_item(r, tenant, with_properties) for r in rows]
    return ApiResourceList(totalResults=total, links=links, APIResources=items)


async def list_scopes(
    *, state: AppState, tenant: TenantContext, filter: str | None
) -> list[ScopeItem]:
    condition = filter_condition(filter, SCOPE_COLUMNS, api_errors.INVALID_FILTER)
    async with state.db.read() as session:
        repo = ScopeRepository(session, tenant=tenant)
        stmt = repo.select() if condition is None else repo.select().where(condition)
        rows = await repo.list(stmt.order_by(ApiScope.name))
    return [views.scope_item(s) for s in rows]
