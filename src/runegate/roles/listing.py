"""Loading, rendering and listing roles (RFC 7644 §3.4.2: filter, startIndex, count)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.roles.wire import RoleLinks
from runegate.roles.wire import role_dict
from runegate.scim.errors import InvalidFilter
from runegate.storage.models.application import Application
from runegate.storage.models.organization import Organization
from runegate.storage.models.role import Role
from runegate.storage.repositories.roles import RoleRepository
from runegate.tenancy.context import TenantContext

_TERM = re.compile(r'^\s*([A-Za-z.]+)\s+(eq|ne|co|sw|ew)\s+"((?:[^"\\]|\\.)*)"\s*$', re.I)
_COLUMNS: dict[str, Any] = {
    "displayname": Role.display_name_ci,
    "id": Role.id,
    "audience.value": Role.audience_value,
    "audience.type": Role.audience_type,
}


def _term(text: str) -> ColumnElement[bool]:
    match = _TERM.match(text)
    if match is None:
        raise InvalidFilter(f"Unsupported role filter {text[:80]!r}.")
    name, op, value = match.group(1).lower(), match.group(2).lower(), match.group(3)
    column = _COLUMNS.get(name)
    if column is None:
        raise InvalidFilter(f"Roles cannot be filtered by {name[:40]!r}.")
    if name in ("displayname", "audience.type"):
        value = value.lower()
    conditions: dict[str, Any] = {
        "eq": lambda: column == value,
        "ne": lambda: column != value,
        "co": lambda: column.contains(value, autoescape=True),
        "sw": lambda: column.startswith(value, autoescape=True),
        "ew": lambda: column.endswith(value, autoescape=True),
    }
    return conditions[op]()  # type: ignore[no-any-return]


def compile_role_filter(text: str | None) -> ColumnElement[bool] | None:
    """`displayName sw "x"`, `audience.value eq "..."`, terms joined with `and`."""
    if not text:
        return None
    terms = re.split(r"\s+and\s+", text, flags=re.I)
    return and_(*[_term(t) for t in terms])


async def audience_names(
    session: AsyncSession, tenant: TenantContext, roles: Sequence[Role]
) -> dict[str, str]:
    values = list({r.audience_value for r in roles})
    apps = await session.execute(
        select(Application.id, Application.name).where(
            Application.org_id == tenant.org_id, Application.id.in_(values)
        )
    )
    names = {app_id: name for app_id, name in apps.all()}
    org = await session.get(Organization, tenant.org_id)
    names[tenant.org_id] = org.name if org is not None else tenant.root_name
    return names


async def render_roles(
    session: AsyncSession, tenant: TenantContext, roles: Sequence[Role], base: str
) -> list[dict[str, Any]]:
    repo = RoleRepository(session, tenant=tenant)
    ids = [r.id for r in roles]
    scopes, users, groups = (
        await repo.scopes_of(ids),
        await repo.users_of(ids),
        await repo.groups_of(ids),
    )
    names = await audience_names(session, tenant, roles)
    return [role_dict(r, links_of(r, scopes, users, groups, names), base) for r in roles]


def links_of(
    role: Role,
    scopes: dict[str, list[tuple[str, str]]],
    users: dict[str, list[tuple[str, str]]],
    groups: dict[str, list[tuple[str, str]]],
    names: dict[str, str],
) -> RoleLinks:
    return RoleLinks(
        permissions=scopes.get(role.id, []),
        users=users.get(role.id, []),
        groups=groups.get(role.id, []),
        audience_display=names.get(role.audience_value, role.audience_value),
    )


async def load_links(session: AsyncSession, tenant: TenantContext, role: Role) -> RoleLinks:
    repo = RoleRepository(session, tenant=tenant)
    ids = [role.id]
    names = await audience_names(session, tenant, [role])
    return links_of(
        role, await repo.scopes_of(ids), await repo.users_of(ids), await repo.groups_of(ids), names
    )
