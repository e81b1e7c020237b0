"""What a SCIM User shows beside its own row, for a page of users in one query: its
groups (id and displayName), its roles (roles/holders.py) and its lock state
(identity/lockout.py, `accountLocked`).

One UNION ALL, built once per dialect and with or without roles (parameters `org` and
`ids`): a page costs one round trip for all three, and SQLAlchemy neither rebuilds the
statement nor generates its cache key again. Each row says what it is in its `kind`
column; the columns a kind does not use are NULL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from functools import cache
from typing import Any
from typing import NamedTuple

from sqlalchemy import Boolean
from sqlalchemy import CompoundSelect
from sqlalchemy import DateTime
from sqlalchemy import Select
from sqlalchemy import bindparam
from sqlalchemy import literal_column
from sqlalchemy import null
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy import union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from runegate.identity.lockout import USER
from runegate.identity.lockout import LockState
from runegate.identity.lockout import is_locked
from runegate.roles.holders import RoleRef
from runegate.roles.holders import role_refs
from runegate.roles.holders import user_roles_select
from runegate.storage.models.lockout import SignInCounter
from runegate.storage.models.user import Group
from runegate.storage.models.user import GroupMember
from runegate.storage.repositories.base import among_param
from runegate.storage.repositories.base import is_postgresql
from runegate.tenancy.context import TenantContext

LOCK, GROUP, ROLE = "l", "g", "r"
NO_ROLE = (null(),) * 5  # a role's display name .. audience display (holders.py)


class GroupRef(NamedTuple):
    id: str
    display_name: str


@dataclass
class UserExtras:
    groups: dict[str, list[GroupRef]] = field(default_factory=dict)
    roles: dict[str, list[RoleRef]] = field(default_factory=dict)
    locked: set[str] = field(default_factory=set)


def _kind(name: str) -> Any:
    return literal_column(f"'{name}'")


def _locks(postgresql: bool) -> Select[Any]:
    """First of the union: its typed columns tell SQLAlchemy how to read the flag and
    the time on SQLite (NULL elsewhere)."""
    return select(
        SignInCounter.subject,
        null(),
        *NO_ROLE,
        _kind(LOCK),
        SignInCounter.admin_locked,
        SignInCounter.locked_until,
    ).where(
        SignInCounter.org_id == bindparam("org"),
        SignInCounter.kind == USER,
        among_param(SignInCounter.subject, "ids", postgresql),
    )


def _groups(postgresql: bool) -> Select[Any]:
    org: BindParameter[str] = bindparam("org")
    return (
        select(
            GroupMember.user_id,
            Group.id,
            Group.display_name,
            Group.display_name_ci,
            *NO_ROLE[2:],
            _kind(GROUP),
            null(),
            null(),
        )
        .join(Group, GroupMember.group_id == Group.id)
        .where(
            GroupMember.org_id == org,
            among_param(GroupMember.user_id, "ids", postgresql),
            Group.org_id == org,
        )
    )


@cache
def extras_select(postgresql: bool, with_roles: bool) -> CompoundSelect[Any]:
    parts: list[Select[Any]] = [_locks(postgresql), _groups(postgresql)]
    if with_roles:
        unset = (type_coerce(null(), Boolean()), type_coerce(null(), DateTime()))
        parts.append(user_roles_select(postgresql).add_columns(_kind(ROLE), *unset))
    return union_all(*parts)


async def user_extras(
    session: AsyncSession,
    tenant: TenantContext,
    user_ids: Sequence[str],
    base: str,
    *,
    with_roles: bool = True,
) -> UserExtras:
    """Groups (by displayName), roles (as holders.py orders them) and which users are
    locked now, of these users; roles only `with_roles`."""
    found = UserExtras()
    if not user_ids:
        return found
    ids, now = list(user_ids), datetime.now(UTC)
    stmt = extras_select(is_postgresql(session), with_roles)
    rows = (await session.execute(stmt, {"org": tenant.org_id, "ids": ids})).all()
    groups: dict[str, list[Any]] = {}
    held = []
    for row in rows:
        kind = row[7]
        if kind == LOCK and is_locked(LockState(row[8], row[9]), now):
            found.locked.add(row[0])
        elif kind == GROUP:
            groups.setdefault(row[0], []).append(row)
        elif kind == ROLE:
            held.append(row[:7])
    for user_id, listed in groups.items():
        listed.sort(key=lambda r: r[3])  # display_name_ci: "C" collation, unique
        found.groups[user_id] = [GroupRef(r[1], r[2]) for r in listed]
    if with_roles:
        found.roles = role_refs(held, ids, base, tenant)
    return found
