"""The group service: create, replace, delete, and membership changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.identity.errors import UnknownMember
from runegate.identity.users import check_version
from runegate.storage import changes
from runegate.storage.models.user import Group
from runegate.storage.models.user import GroupMember
from runegate.storage.repositories.users import GroupRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext


@dataclass(slots=True)
class GroupProfile:
    display_name: str
    external_id: str | None = None
    member_ids: list[str] = field(default_factory=list)
    displays: dict[str, str] = field(default_factory=dict)  # member id -> display
    document: dict[str, Any] = field(default_factory=dict)


async def _check_members(session: AsyncSession, tenant: TenantContext, ids: Sequence[str]) -> None:
    found = {u.id for u in await UserRepository(session, tenant=tenant).find_many(ids)}
    missing = [i for i in dict.fromkeys(ids) if i not in found]
    if missing:
        raise UnknownMember(f"No user with the id {missing[0][:64]!r} in the organization.")


async def _write_members(
    session: AsyncSession,
    tenant: TenantContext,
    group_id: str,
    ids: Sequence[str],
    displays: dict[str, str],
) -> None:
    await _check_members(session, tenant, ids)
    await session.execute(
        delete(GroupMember).where(
            GroupMember.org_id == tenant.org_id, GroupMember.group_id == group_id
        )
    )
    for user_id in dict.fromkeys(ids):
        session.add(
            GroupMember(
                org_id=tenant.org_id,
                group_id=group_id,
                user_id=user_id,
                display=displays.get(user_id),
            )
        )
    await GroupRepository(session, tenant=tenant).flush()
    # Memberships carry roles: clear the cached role scopes (roles/store.py).
    await changes.bump(session, changes.ROLES)


def _apply(group: Group, profile: GroupProfile) -> None:
    group.display_name = profile.display_name
    group.display_name_ci = profile.display_name.lower()
    group.external_id = profile.external_id
    group.attributes = dict(profile.document)


async def create_group(
    session: AsyncSession, tenant: TenantContext, profile: GroupProfile
) -> Group:
    repo = GroupRepository(session, tenant=tenant)
    group = Group()
    _apply(group, profile)
    await repo.add(group)
    await _write_members(session, tenant, group.id, profile.member_ids, profile.displays)
    await audit.record(
        session, tenant=tenant, action="group.create", target_type="group", target_id=group.id
    )
    return group


async def update_group(
    session: AsyncSession,
    tenant: TenantContext,
    group_id: str,
    profile: GroupProfile,
    *,
    expected_version: int | None = None,
) -> Group:
    repo = GroupRepository(session, tenant=tenant)
    group = await repo.get(group_id)
    check_version(group.version, expected_version)
    _apply(group, profile)
    group.version += 1
    await repo.flush()
    await _write_members(session, tenant, group.id, profile.member_ids, profile.displays)
    await audit.record(
        session, tenant=tenant, action="group.update", target_type="group", target_id=group.id
    )
    return group


async def delete_group(
    session: AsyncSession, tenant: TenantContext, group_id: str, *, expected_version: int | None
) -> None:
    repo = GroupRepository(session, tenant=tenant)
    check_version((await repo.get(group_id)).version, expected_version)
    await repo.delete(group_id)
    await audit.record(
        session, tenant=tenant, action="group.delete", target_type="group", target_id=group_id
    )
    await changes.bump(session, changes.ROLES)


async def search_groups(
    session: AsyncSession,
    tenant: TenantContext,
    *,
    where: ColumnElement[bool] | None,
    order_by: Sequence[Any],
    offset: int,
    limit: int,
) -> tuple[int, Sequence[Group]]:
    return await GroupRepository(session, tenant=tenant).page(where, order_by, offset, limit)
