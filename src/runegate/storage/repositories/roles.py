"""Roles and their scopes, users and groups, always within one organization."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select

from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.role import Role
from runegate.storage.models.role import RoleGroup
from runegate.storage.models.role import RoleScope
from runegate.storage.models.role import RoleUser
from runegate.storage.models.user import Group
from runegate.storage.models.user import User
from runegate.storage.repositories.base import TenantRepository

# role id -> [(value, display)]
Links = dict[str, list[tuple[str, str]]]


class RoleRepository(TenantRepository[Role]):
    model = Role
    not_found = "The role does not exist."
    conflict = "A role with this displayName already exists in the audience."

    async def find_by_name(self, audience_type: str, audience_value: str, name: str) -> Role | None:
        return await self.find_by(
            audience_type=audience_type, audience_value=audience_value, display_name_ci=name.lower()
        )

    async def _links(self, stmt: Any) -> Links:
        found: Links = {}
        for role_id, value, display in (await self.session.execute(stmt)).all():
            found.setdefault(role_id, []).append((value, display or value))
        return found

    async def scopes_of(self, role_ids: Sequence[str]) -> Links:
        stmt = (
            select(RoleScope.role_id, ApiScope.name, ApiScope.display_name)
            .join(ApiScope, ApiScope.id == RoleScope.scope_id)
            .where(RoleScope.org_id == self.org_id, RoleScope.role_id.in_(list(role_ids)))
            .order_by(ApiScope.name)
        )
        return await self._links(stmt)

    async def users_of(self, role_ids: Sequence[str]) -> Links:
        stmt = (
            select(RoleUser.role_id, User.id, User.user_name)
            .join(User, User.id == RoleUser.user_id)
            .where(RoleUser.org_id == self.org_id, RoleUser.role_id.in_(list(role_ids)))
            .order_by(User.user_name_ci)
        )
        return await self._links(stmt)

    async def groups_of(self, role_ids: Sequence[str]) -> Links:
        stmt = (
            select(RoleGroup.role_id, Group.id, Group.display_name)
            .join(Group, Group.id == RoleGroup.group_id)
            .where(RoleGroup.org_id == self.org_id, RoleGroup.role_id.in_(list(role_ids)))
            .order_by(Group.display_name_ci)
        )
        return await self._links(stmt)

    async def scope_ids(self, names: Sequence[str]) -> dict[str, str]:
        """Scope name -> scope id, for the names that exist in the organization."""
        stmt = select(ApiScope.name, ApiScope.id).where(
            ApiScope.org_id == self.org_id, ApiScope.name.in_(list(names))
        )
        return {name: sid for name, sid in (await self.session.execute(stmt)).all()}

    async def set_links(
        self, role_id: str, scope_ids: Sequence[str], users: Sequence[str], groups: Sequence[str]
    ) -> None:
        """Replace the role's scopes, users and groups."""
        for table in (RoleScope, RoleUser, RoleGroup):
            await self.session.execute(
                delete(table).where(table.org_id == self.org_id, table.role_id == role_id)
            )
        org, rid = self.org_id, role_id
        self.session.add_all([RoleScope(org_id=org, role_id=rid, scope_id=s) for s in scope_ids])
        self.session.add_all([RoleUser(org_id=org, role_id=rid, user_id=u) for u in users])
        self.session.add_all([RoleGroup(org_id=org, role_id=rid, group_id=g) for g in groups])
        await self.flush()

    async def add_user(self, role_id: str, user_id: str) -> None:
        stmt = select(RoleUser).where(RoleUser.role_id == role_id, RoleUser.user_id == user_id)
        if (await self.session.execute(stmt)).first() is None:
            self.session.add(RoleUser(org_id=self.org_id, role_id=role_id, user_id=user_id))
            await self.flush()
