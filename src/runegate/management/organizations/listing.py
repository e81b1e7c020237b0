"""GET /organizations: filters (`name`, `id`, `description`, `status`, `parentId`,
`created`, `lastModified`, `attributes.<key>`; `eq sw ew co ge le gt lt`), Base64 cursors
`before`/`after` over the names (unique in a root organization's hierarchy), `recursive`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select

from runegate.management.common.filters import Term
from runegate.management.common.filters import filter_condition
from runegate.management.common.filters import parse_filter
from runegate.management.common.filters import term_condition
from runegate.management.common.pagination import cursor_links
from runegate.management.common.pagination import keyset
from runegate.management.organizations import errors
from runegate.management.organizations import views
from runegate.management.organizations.schemas import MetaAttributes
from runegate.management.organizations.schemas import OrganizationList
from runegate.state import AppState
from runegate.storage.models.organization import Organization
from runegate.storage.repositories.organizations import SubOrganizations
from runegate.storage.repositories.organizations import attribute_condition
from runegate.tenancy.context import TenantContext

COLUMNS = {
    "id": Organization.id,
    "name": Organization.name,
    "description": Organization.description,
    "status": Organization.status,
    "parentId": Organization.parent_id,
    "created": Organization.created_at,
    "lastModified": Organization.updated_at,
}
MAX_LIMIT = 100


@dataclass(frozen=True, slots=True)
class OrgQuery:
    filter: str | None = None
    limit: int = 10
    after: str | None = None
    before: str | None = None
    recursive: bool = False


def _attribute_term(dialect: str) -> Any:
    def special(term: Term) -> ColumnElement[bool] | None:
        if not term.attribute.startswith("attributes."):
            return None
        key = term.attribute.removeprefix("attributes.")
        if not key:
            raise errors.INVALID_FILTER.error(reason="name the attribute: attributes.<key>")
        return attribute_condition(dialect, key, lambda value: term_condition(value, term))

    return special


def page(stmt: Select[Organization], query: OrgQuery) -> Select[Organization]:
    return keyset(
        stmt,
        Organization.name,
        before=query.before,
        after=query.after,
        invalid_request=errors.INVALID_REQUEST,
        invalid_cursor=errors.INVALID_CURSOR,
    )


async def list_organizations(
    *, state: AppState, tenant: TenantContext, query: OrgQuery
) -> OrganizationList:
    async with state.db.read() as session:
        dialect = session.get_bind().dialect.name
        condition = filter_condition(
            query.filter,
            COLUMNS,
            errors.INVALID_FILTER,
            ordered=True,
            special=_attribute_term(dialect),
        )
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        base = orgs.below(await orgs.acting(), recursive=query.recursive)
        stmt = base if condition is None else base.where(condition)
        rows = list(await orgs.rows(page(stmt, query).limit(query.limit + 1)))
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if query.before:
            rows.reverse()
        first = rows[0].name if rows else None
        last = rows[-1].name if rows else None
        if query.before:
            has_before, has_after = more, True
        else:
            # Without a cursor the page starts at the first name: nothing comes before it.
            earlier = (
                stmt.where(Organization.name < first)
                if first is not None and query.after is not None
                else None
            )
            has_before = earlier is not None and bool(await orgs.rows(earlier.limit(1)))
            has_after = more
    params = {
        "filter": query.filter or "",
        "recursive": "true" if query.recursive else "",
    }
    links = cursor_links(
        views.base_path(tenant),
        first=first,
        last=last,
        has_before=has_before,
        has_after=has_after and bool(rows),
        limit=query.limit,
        query=params,
    )
    return OrganizationList(
        links=links, organizations=[views.to_basic(org, tenant) for org in rows]
    )


async def meta_attributes(
    *, state: AppState, tenant: TenantContext, filter: str | None, recursive: bool
) -> MetaAttributes:
    """The distinct attribute keys of the organizations below (`attributes <op> <value>`)."""
    async with state.db.read() as session:
        orgs = SubOrganizations(session, root_id=tenant.root_id, org_id=tenant.org_id)
        rows = await orgs.rows(orgs.below(await orgs.acting(), recursive=recursive))
    keys = sorted({a.key for org in rows for a in views.attributes_of(org)})
    if filter and filter.strip():
        groups = parse_filter(filter, errors.INVALID_FILTER)
        keys = [k for k in keys if any(all(_matches(k, t) for t in g) for g in groups)]
    return MetaAttributes(attributes=keys)


def _matches(key: str, term: Term) -> bool:
    if term.attribute != "attributes":
        raise errors.INVALID_FILTER.error(reason="filter meta attributes as 'attributes <op> <x>'")
    checks = {
        "eq": key == term.value,
        "sw": key.startswith(term.value),
        "ew": key.endswith(term.value),
        "co": term.value in key,
        "ge": key >= term.value,
        "le": key <= term.value,
        "gt": key > term.value,
        "lt": key < term.value,
    }
    return checks[term.operator]
