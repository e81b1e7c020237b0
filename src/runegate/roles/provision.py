"""Provisioning hook: every organization has the `everyone` and `Administrator` roles.

`everyone` (organization audience) is held by every user and carries the end-user
scopes `END_USER_SCOPES`; `Administrator` carries every scope of the system API
resources and is held by the administrator created at provisioning. Both converge on
every bootstrap (new system scopes join the Administrator role).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.roles.resolve import EVERYONE
from runegate.roles.service import ORGANIZATION
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.role import Role
from runegate.storage.models.role import RoleScope
from runegate.storage.models.user import User
from runegate.storage.repositories.roles import RoleRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import PROVISION_HOOKS

ADMINISTRATOR = "Administrator"
# Self-service: /scim2/Me (internal_login) and the user's own password.
END_USER_SCOPES = ("internal_login", "internal_user_password_update")


async def _ensure_role(repo: RoleRepository, name: str) -> Role:
    role = await repo.find_by_name(ORGANIZATION, repo.org_id, name)
    if role is None:
        role = await repo.add(
            Role(
                display_name=name,
                display_name_ci=name.lower(),
                audience_type=ORGANIZATION,
                audience_value=repo.org_id,
                version=1,
            )
        )
    return role


async def _add_scopes(repo: RoleRepository, role: Role, scope_ids: list[str]) -> None:
    have = set(
        (
            await repo.session.scalars(
                select(RoleScope.scope_id).where(RoleScope.role_id == role.id)
            )
        ).all()
    )
    for scope_id in scope_ids:
        if scope_id not in have:
            repo.session.add(RoleScope(org_id=repo.org_id, role_id=role.id, scope_id=scope_id))
    await repo.flush()


async def provision_roles(session: AsyncSession, tenant: TenantContext) -> None:
    repo = RoleRepository(session, tenant=tenant)
    everyone = await _ensure_role(repo, EVERYONE)
    known = await repo.scope_ids(END_USER_SCOPES)
    await _add_scopes(repo, everyone, list(known.values()))
    admin_role = await _ensure_role(repo, ADMINISTRATOR)
    system = await session.scalars(
        select(ApiScope.id)
        .join(ApiResource, ApiResource.id == ApiScope.api_resource_id)
        .where(ApiScope.org_id == tenant.org_id, ApiResource.type == "SYSTEM")
    )
    await _add_scopes(repo, admin_role, list(system.all()))
    admins = await session.scalars(
        select(User.id).where(
            User.org_id == tenant.org_id, User.attributes["runegate:admin"].as_boolean()
        )
    )
    for user_id in admins.all():
        await repo.add_user(admin_role.id, user_id)


if provision_roles not in PROVISION_HOOKS:
    PROVISION_HOOKS.append(provision_roles)
