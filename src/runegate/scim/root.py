"""Searching every resource type at once: `POST /.search` (RFC 7644 §3.4.3).

Users come first, then Groups, each filtered and sorted on its own; an attribute that
a type does not have makes that type match nothing (RFC 7644 §3.4.2.1). The caller
sees the types its token may list.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scim2_models import SCIMException
from scim2_models import ScimFilter
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.scim import groups
from runegate.scim import users
from runegate.scim.errors import InvalidFilter
from runegate.scim.errors import InvalidValue
from runegate.scim.query import ListQuery
from runegate.scim.result import ScimResult
from runegate.scim.result import list_result
from runegate.tenancy.context import TenantContext

USERS_SCOPE = "internal_user_mgt_list"
GROUPS_SCOPE = "internal_group_mgt_view"


def _check_syntax(expression: str | None) -> None:
    if expression:
        try:
            ScimFilter(expression)
        except SCIMException as exc:
            raise InvalidFilter(exc.detail[:300]) from exc


async def _one(
    engine: Any, session: AsyncSession, tenant: TenantContext, query: ListQuery
) -> tuple[int, list[Any], InvalidFilter | None]:
    try:
        result: ScimResult = await engine.search(session, tenant, query)
    except InvalidFilter as exc:
        return 0, [], exc
    return int(result.body["totalResults"]), list(result.body["Resources"]), None


async def search_all(
    session: AsyncSession, tenant: TenantContext, query: ListQuery, scopes: frozenset[str]
) -> ScimResult:
    _check_syntax(query.filter)
    if query.cursor is not None:
        raise InvalidValue("Cursor paging (RFC 9865) is offered on /Users and /Groups, not here.")
    engines = [e for s, e in ((USERS_SCOPE, users), (GROUPS_SCOPE, groups)) if s in scopes]
    total, resources, errors = 0, [], []
    skip, room = query.offset, query.count
    for engine in engines:
        # Count first (count=0), then fetch the slice of this type that falls in the page.
        count, _, error = await _one(engine, session, tenant, replace(query, count=0))
        if error is not None:
            errors.append(error)
            continue
        total += count
        if room > 0 and skip < count:
            page = replace(query, start_index=skip + 1, count=room)
            _, items, _ = await _one(engine, session, tenant, page)
            resources.extend(items)
            room -= len(items)
        skip = max(0, skip - count)
    if errors and len(errors) == len(engines):
        raise errors[0]
    return list_result(total, query.start_index, resources)
