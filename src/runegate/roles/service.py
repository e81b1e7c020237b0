"""The role service: validate and write roles. Callers own the unit of work.

Bad input (unknown scopes, scopes the audience may not hold, audiences, users or groups
of another organization) raises before anything is written; duplicate display names
within one audience are a Conflict (409).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.errors import Conflict
from runegate.errors import InvalidInput
from runegate.storage import changes
from runegate.storage.models.application import Application
from runegate.storage.models.application import AuthorizedScope
from runegate.storage.models.role import Role
from runegate.storage.repositories.roles import RoleRepository
from runegate.storage.repositories.users import GroupRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

ORGANIZATION = "organization"
APPLICATION = "application"


@dataclass(slots=True)
class RoleInput:
    display_name: str
    audience_type: str = ORGANIZATION
    audience_value: str | None = None
    permissions: list[str] = field(default_factory=list)
    users: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)


async def _check_audience(session: AsyncSession, tenant: TenantContext, data: RoleInput) -> str:
    if data.audience_type == ORGANIZATION:
        if data.audience_value not in (None, tenant.org_id):
            raise InvalidInput("The audience is not this organization.")
        return tenant.org_id
    if data.audience_type != APPLICATION:
        raise InvalidInput("audience.type must be 'organization' or 'application'.")
    app = await session.scalar(
        select(Application.id).where(
            Application.org_id == tenant.org_id, Application.id == (data.audience_value or "")
        )
    )
    if app is None:
        raise InvalidInput("The audience application does not exist in this organization.")
    return str(app)


async def _scope_ids(
    session: AsyncSession, tenant: TenantContext, data: RoleInput, audience: str
) -> list[str]:
    names = list(dict.fromkeys(data.permissions))
    known = await RoleRepository(session, tenant=tenant).scope_ids(names)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InvalidInput(f"Unknown scope {unknown[0][:100]!r} in permissions.")
    if data.audience_type == APPLICATION and known:
        # An application role holds only scopes authorized for its application.
        rows = await session.scalars(
            select(AuthorizedScope.scope_id).where(
                AuthorizedScope.org_id == tenant.org_id,
                AuthorizedScope.application_id == audience,
            )
        )
        allowed = set(rows.all())
        outside = [n for n in names if known[n] not in allowed]
        if outside:
            raise InvalidInput(
                f"The scope {outside[0][:100]!r} is not authorized for the audience application."
            )
    return [known[n] for n in names]


async def _check_members(session: AsyncSession, tenant: TenantContext, data: RoleInput) -> None:
    users = list(dict.fromkeys(data.users))
    found = {u.id for u in await UserRepository(session, tenant=tenant).find_many(users)}
    missing = [u for u in users if u not in found]
    if missing:
        raise InvalidInput(f"No user with the id {missing[0][:64]!r} in the organization.")
    groups = GroupRepository(session, tenant=tenant)
    for group_id in dict.fromkeys(data.groups):
        if await groups.find(group_id) is None:
            raise InvalidInput(f"No group with the id {group_id[:64]!r} in the organization.")


async def _write(session: AsyncSession, tenant: TenantContext, role: Role, data: RoleInput) -> Role:
    name = data.display_name.strip()
    if not name:
        raise InvalidInput("displayName is required.")
    audience = await _check_audience(session, tenant, data)
    scope_ids = await _scope_ids(session, tenant, data, audience)
    await _check_members(session, tenant, data)
    repo = RoleRepository(session, tenant=tenant)
    same = await repo.find_by_name(data.audience_type, audience, name)
    if same is not None and same.id != role.id:
        raise Conflict(f"A role named {name[:100]!r} already exists in the audience.")
    role.display_name, role.display_name_ci = name, name.lower()
    role.audience_type, role.audience_value = data.audience_type, audience
    if role.id is None:
        await repo.add(role)
    else:
        role.version += 1
        await repo.flush()
    users, groups = list(dict.fromkeys(data.users)), list(dict.fromkeys(data.groups))
    await repo.set_links(role.id, scope_ids, users, groups)
    await changes.bump(session, changes.ROLES)  # cached role scopes (roles/store.py)
    return role


async def create_role(session: AsyncSession, tenant: TenantContext, data: RoleInput) -> Role:
    role = await _write(session, tenant, Role(version=1), data)
    await audit.record(
        session, tenant=tenant, action="role.create", target_type="role", target_id=role.id
    )
    return role


async def update_role(
    session: AsyncSession, tenant: TenantContext, role_id: str, data: RoleInput
) -> Role:
    role = await RoleRepository(session, tenant=tenant).get(role_id)
    if data.audience_type != role.audience_type or (
        data.audience_value not in (None, role.audience_value)
    ):
        raise InvalidInput("The audience of a role cannot be changed.")
    await audit.record(
        session, tenant=tenant, action="role.update", target_type="role", target_id=role.id
    )
    return await _write(session, tenant, role, data)


async def delete_role(session: AsyncSession, tenant: TenantContext, role_id: str) -> None:
    await RoleRepository(session, tenant=tenant).delete(role_id)
    await audit.record(
        session, tenant=tenant, action="role.delete", target_type="role", target_id=role_id
    )
    await changes.bump(session, changes.ROLES)


def ids(values: Sequence[tuple[str, str]]) -> list[str]:
    return [value for value, _display in values]
