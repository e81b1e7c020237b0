"""The roles users and groups hold, as SCIM Users and Groups show them (read-only).

A user holds its direct roles, the roles of its groups and the organization's `everyone`
role; a group holds its direct roles. Each role is `{value: role id, display: name,
$ref, audienceValue, audienceType, audienceDisplay}`, as Asgardeo (Roles v2) shows
them. A page of users or groups costs a fixed number of queries, whatever its size.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.roles.listing import audience_names
from runegate.roles.resolve import EVERYONE
from runegate.roles.service import ORGANIZATION
from runegate.storage.models.role import Role
from runegate.storage.models.role import RoleGroup
from runegate.storage.models.role import RoleUser
from runegate.storage.models.user import GroupMember
from runegate.tenancy.context import TenantContext

RoleRef = dict[str, str]


def wanted(attributes: Sequence[str] | None, excluded: Sequence[str] | None) -> bool:
    """Whether `roles` survives RFC 7644 §3.9 attributes/excludedAttributes."""

    def names(items: Sequence[str] | None) -> bool:
        return any(a.rsplit(":", 1)[-1].split(".")[0].lower() == "roles" for a in items or ())

    return names(attributes) if attributes else not names(excluded)


async def _refs(
    session: AsyncSession, tenant: TenantContext, held: dict[str, list[Role]], base: str
) -> dict[str, list[RoleRef]]:
    roles = {r.id: r for found in held.values() for r in found}
    names = await audience_names(session, tenant, list(roles.values()))

    def ref(role: Role) -> RoleRef:
        return {
            "value": role.id,
            "display": role.display_name,
            "$ref": f"{base}/v2/Roles/{role.id}",
            "audienceValue": role.audience_value,
            "audienceType": role.audience_type,
            "audienceDisplay": names.get(role.audience_value, role.audience_value),
        }

    def ordered(found: list[Role]) -> list[Role]:
        unique = {r.id: r for r in found}.values()
        return sorted(unique, key=lambda r: (r.display_name_ci, r.audience_value, r.id))

    return {holder: [ref(r) for r in ordered(found)] for holder, found in held.items()}


async def roles_of_users(
    session: AsyncSession, tenant: TenantContext, user_ids: Sequence[str], base: str
) -> dict[str, list[RoleRef]]:
    """Direct, through groups, and `everyone`: three queries for any number of users."""
    if not user_ids:
        return {}
    org, ids = tenant.org_id, list(user_ids)
    direct = (
        select(RoleUser.user_id, Role)
        .join(Role, Role.id == RoleUser.role_id)
        .where(RoleUser.org_id == org, Role.org_id == org, RoleUser.user_id.in_(ids))
    )
    through_groups = (
        select(GroupMember.user_id, Role)
        .join(RoleGroup, RoleGroup.group_id == GroupMember.group_id)
        .join(Role, Role.id == RoleGroup.role_id)
        .where(GroupMember.org_id == org, Role.org_id == org, GroupMember.user_id.in_(ids))
    )
    everyone = await session.scalar(
        select(Role).where(
            Role.org_id == org,
            Role.audience_type == ORGANIZATION,
            Role.audience_value == org,
            Role.display_name_ci == EVERYONE,
        )
    )
    held: dict[str, list[Role]] = {u: [everyone] if everyone is not None else [] for u in ids}
    for stmt in (direct, through_groups):
        for user_id, role in (await session.execute(stmt)).all():
            held[user_id].append(role)
    return await _refs(session, tenant, held, base)


async def roles_of_groups(
    session: AsyncSession, tenant: TenantContext, group_ids: Sequence[str], base: str
) -> dict[str, list[RoleRef]]:
    if not group_ids:
        return {}
    org = tenant.org_id
    stmt = (
        select(RoleGroup.group_id, Role)
        .join(Role, Role.id == RoleGroup.role_id)
        .where(RoleGroup.org_id == org, Role.org_id == org, RoleGroup.group_id.in_(group_ids))
    )
    held: dict[str, list[Role]] = {g: [] for g in group_ids}
    for group_id, role in (await session.execute(stmt)).all():
        held[group_id].append(role)
    return await _refs(session, tenant, held, base)


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
