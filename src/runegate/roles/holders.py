"""The roles users and groups hold, as SCIM Users and Groups show them (read-only).

A user holds its direct roles, the roles of its groups and the organization's `everyone`
role; a group holds its direct roles. Each role is `{value: role id, display: name,
$ref, audienceValue, audienceType, audienceDisplay}`, as Asgardeo (Roles v2) shows
them. A page of users or groups costs one query, whatever its size (for users, the
same query also reads their groups and lock state: scim/user_extras.py).
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from runegate.roles.resolve import EVERYONE
from runegate.roles.service import APPLICATION
from runegate.roles.service import ORGANIZATION
from runegate.storage.models.application import Application
from runegate.storage.models.organization import Organization
from runegate.storage.models.role import Role
from runegate.storage.models.role import RoleGroup
from runegate.storage.models.role import RoleUser
from runegate.storage.models.user import GroupMember
from runegate.storage.repositories.base import among
from runegate.storage.repositories.base import among_param
from runegate.tenancy.context import TenantContext

RoleRef = dict[str, str]


def wanted(attributes: Sequence[str] | None, excluded: Sequence[str] | None) -> bool:
    """Whether `roles` survives RFC 7644 §3.9 attributes/excludedAttributes."""

    def names(items: Sequence[str] | None) -> bool:
        return any(a.rsplit(":", 1)[-1].split(".")[0].lower() == "roles" for a in items or ())

    return names(attributes) if attributes else not names(excluded)


def _display_columns() -> tuple[Any, ...]:
    """The columns of a role reference, the audience's display name joined in: the
    application's name, or the organization's (the root's handle when it has none)."""
    audience_display = func.coalesce(Application.name, Organization.name, Role.audience_value)
    return (
        Role.id,
        Role.display_name,
        Role.display_name_ci,
        Role.audience_type,
        Role.audience_value,
        audience_display,
    )


def _with_audiences(stmt: Select[Any], org: Any) -> Select[Any]:
    """`org`: the organization id, a value or a bound parameter."""
    return stmt.outerjoin(
        Application,
        and_(
            Role.audience_type == APPLICATION,
            Application.id == Role.audience_value,
            Application.org_id == org,
        ),
    ).outerjoin(
        Organization,
        and_(Role.audience_type == ORGANIZATION, Organization.id == Role.audience_value),
    )


def _ref(row: Any, base: str, tenant: TenantContext) -> RoleRef:
    role_id, display, _ci, audience_type, audience_value, audience_display = row
    if audience_type == ORGANIZATION and audience_display == audience_value:
        audience_display = tenant.root_name  # no organization row: the root's name
    return {
        "value": role_id,
        "display": display,
        "$ref": f"{base}/v2/Roles/{role_id}",
        "audienceValue": audience_value,
        "audienceType": audience_type,
        "audienceDisplay": audience_display,
    }


def role_refs(
    rows: Sequence[Any], holders: Sequence[str], base: str, tenant: TenantContext
) -> dict[str, list[RoleRef]]:
    """(holder or None for every holder, role columns...) rows -> each holder's roles,
    without duplicates, ordered by name, audience and id."""
    held: dict[str, dict[str, Any]] = {h: {} for h in holders}
    for holder, *role in rows:
        for target in holders if holder is None else (holder,):
            if target in held:
                held[target][role[0]] = role
    return {
        holder: [
            _ref(r, base, tenant) for r in sorted(found.values(), key=lambda r: (r[2], r[4], r[0]))
        ]
        for holder, found in held.items()
    }


@cache
def user_roles_select(postgresql: bool) -> Select[Any]:
    """Direct, through groups, and `everyone`, as (holder, role columns...) rows, for
    `role_refs`; built once per dialect (parameters `org` and `ids`), so a page neither
    rebuilds nor re-keys it."""
    org: BindParameter[str] = bindparam("org")
    direct = select(RoleUser.user_id.label("holder"), RoleUser.role_id.label("role_id")).where(
        RoleUser.org_id == org, among_param(RoleUser.user_id, "ids", postgresql)
    )
    through_groups = (
        select(GroupMember.user_id, RoleGroup.role_id)
        .join(RoleGroup, RoleGroup.group_id == GroupMember.group_id)
        .where(
            GroupMember.org_id == org,
            RoleGroup.org_id == org,
            among_param(GroupMember.user_id, "ids", postgresql),
        )
    )
    # The organization's `everyone` role: held by every user (holder NULL).
    everyone = select(null().label("holder"), Role.id).where(
        Role.org_id == org,
        Role.audience_type == ORGANIZATION,
        Role.audience_value == org,
        Role.display_name_ci == EVERYONE,
    )
    held = union_all(direct, through_groups, everyone).subquery()
    return _with_audiences(
        select(held.c.holder, *_display_columns())
        .select_from(held)
        .join(Role, Role.id == held.c.role_id)
        .where(Role.org_id == org),
        org,
    )


async def roles_of_groups(
    session: AsyncSession, tenant: TenantContext, group_ids: Sequence[str], base: str
) -> dict[str, list[RoleRef]]:
    if not group_ids:
        return {}
    org = tenant.org_id
    stmt = _with_audiences(
        select(RoleGroup.group_id, *_display_columns())
        .join(Role, Role.id == RoleGroup.role_id)
        .where(
            RoleGroup.org_id == org,
            Role.org_id == org,
            among(session, RoleGroup.group_id, group_ids),
        ),
        org,
    )
    rows = (await session.execute(stmt)).all()
    return role_refs(rows, list(group_ids), base, tenant)


Fetch = Callable[
    [AsyncSession, TenantContext, Sequence[str], str], Awaitable[dict[str, list[RoleRef]]]
]


async def for_page(
    fetch: Fetch,
    session: AsyncSession,
    tenant: TenantContext,
    ids: Sequence[str],
    base: str,
    selection: tuple[Sequence[str] | None, Sequence[str] | None],
) -> dict[str, list[RoleRef]]:
    """The roles of a page of holders, unless attributes/excludedAttributes drop them."""
    return await fetch(session, tenant, ids, base) if wanted(*selection) else {}
