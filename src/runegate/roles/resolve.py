"""The API scopes a user's roles grant for one application (the audience rule).

Asgardeo's rule: an application whose `associatedRoles.allowedAudience` is APPLICATION
counts the roles whose audience is that application; with ORGANIZATION (the default) it
counts the organization-audience roles it lists in `associatedRoles.roles`. Roles count
when held directly or through a group. Every user holds the organization's `everyone`
role, whatever the application. One query; `roles/store.py` caches the result per
(organization, application, user) until a role, assignment or membership changes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.roles.service import APPLICATION
from runegate.roles.service import ORGANIZATION
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.models.role import Role
from runegate.storage.models.role import RoleGroup
from runegate.storage.models.role import RoleScope
from runegate.storage.models.role import RoleUser
from runegate.storage.models.user import GroupMember

EVERYONE = "everyone"
ADMINISTRATOR_CI = "administrator"


def _audience(org_id: str, app_id: str, settings: dict[str, Any]) -> ColumnElement[bool]:
    associated: dict[str, Any] = settings.get("associatedRoles") or {}
    if str(associated.get("allowedAudience") or ORGANIZATION).upper() == "APPLICATION":
        return and_(Role.audience_type == APPLICATION, Role.audience_value == app_id)
    listed = [str(r.get("id")) for r in associated.get("roles") or () if isinstance(r, dict)]
    return and_(
        Role.audience_type == ORGANIZATION, Role.audience_value == org_id, Role.id.in_(listed)
    )


def _held(org_id: str, user_id: str) -> Any:
    direct = select(RoleUser.role_id).where(RoleUser.org_id == org_id, RoleUser.user_id == user_id)
    through_groups = (
        select(RoleGroup.role_id)
        .join(GroupMember, GroupMember.group_id == RoleGroup.group_id)
        .where(RoleGroup.org_id == org_id, GroupMember.user_id == user_id)
    )
    return union(direct, through_groups).subquery()


async def role_scopes(
    session: AsyncSession, org_id: str, application_id: str, user_id: str
) -> frozenset[str]:
    settings = await session.scalar(
        select(Application.settings).where(
            Application.org_id == org_id, Application.id == application_id
        )
    )
    if settings is None:
        return frozenset()
    held = _held(org_id, user_id)
    counting = and_(
        Role.id.in_(select(held.c.role_id)), _audience(org_id, application_id, settings)
    )
    everyone = and_(
        Role.audience_type == ORGANIZATION,
        Role.audience_value == org_id,
        Role.display_name_ci == EVERYONE,
    )
    stmt = (
        select(ApiScope.name)
        .join(RoleScope, RoleScope.scope_id == ApiScope.id)
        .join(Role, Role.id == RoleScope.role_id)
        .where(
            Role.org_id == org_id,
            or_(everyone, counting),
        )
    )
    return frozenset((await session.scalars(stmt)).all())


def _org_role_scopes(org_id: str, condition: ColumnElement[bool]) -> Any:
    """The scope names of `org_id`'s organization-audience roles matching `condition`."""
    return (
        select(ApiScope.name)
        .join(RoleScope, RoleScope.scope_id == ApiScope.id)
        .join(Role, Role.id == RoleScope.role_id)
        .where(Role.org_id == org_id, Role.audience_type == ORGANIZATION, condition)
    )


async def organization_role_scopes(
    session: AsyncSession, org_id: str, user_id: str
) -> frozenset[str]:
    """The scopes of the organization-audience roles a user holds in a sub-organization
    (directly or through a group), plus `everyone`'s: what a member of that organization
    gets through an application shared with it."""
    held = _held(org_id, user_id)
    condition = or_(Role.id.in_(select(held.c.role_id)), Role.display_name_ci == EVERYONE)
    return frozenset((await session.scalars(_org_role_scopes(org_id, condition))).all())


async def administrator_scopes(session: AsyncSession, org_id: str) -> frozenset[str]:
    """The scopes of an organization's `Administrator` role."""
    stmt = _org_role_scopes(org_id, Role.display_name_ci == ADMINISTRATOR_CI)
    return frozenset((await session.scalars(stmt)).all())


async def is_administrator(session: AsyncSession, org_id: str, user_id: str) -> bool:
    """Holds the organization's `Administrator` role (directly or through a group)."""
    held = _held(org_id, user_id)
    stmt = select(Role.id).where(
        Role.org_id == org_id,
        Role.audience_type == ORGANIZATION,
        Role.display_name_ci == ADMINISTRATOR_CI,
        Role.id.in_(select(held.c.role_id)),
    )
    return (await session.scalar(stmt.limit(1))) is not None
