"""Users and groups of one organization."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy import select

from runegate.storage.models.user import Group
from runegate.storage.models.user import GroupMember
from runegate.storage.models.user import User
from runegate.storage.repositories.base import TenantRepository


class UserRepository(TenantRepository[User]):
    model = User
    not_found = "The user does not exist."
    conflict = "A user with this userName already exists in the organization."

    async def find_by_username(self, user_name: str) -> User | None:
        return await self.find_by(user_name=user_name)


class GroupRepository(TenantRepository[Group]):
    model = Group
    not_found = "The group does not exist."
    conflict = "A group with this displayName already exists in the organization."

    async def members(self, group_id: str) -> Sequence[User]:
        stmt = (
            select(User)
            .join(GroupMember, GroupMember.user_id == User.id)
            .where(
                GroupMember.org_id == self.org_id,
                GroupMember.group_id == group_id,
                User.org_id == self.org_id,
            )
            .order_by(User.user_name)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def groups_of(self, user_id: str) -> Sequence[Group]:
        stmt = (
            select(Group)
            .join(GroupMember, GroupMember.group_id == Group.id)
            .where(
                GroupMember.org_id == self.org_id,
                GroupMember.user_id == user_id,
                Group.org_id == self.org_id,
            )
            .order_by(Group.display_name)
        )
        return (await self.session.execute(stmt)).scalars().all()

    async def set_members(self, group_id: str, user_ids: Sequence[str]) -> None:
        """Replace the members; every user must belong to this organization."""
        await self.get(group_id)
        users = UserRepository(self.session, tenant=self.tenant)
        for user_id in user_ids:
            await users.get(user_id)
        await self.session.execute(
            delete(GroupMember).where(
                GroupMember.org_id == self.org_id, GroupMember.group_id == group_id
            )
        )
        for user_id in dict.fromkeys(user_ids):
            self.session.add(GroupMember(org_id=self.org_id, group_id=group_id, user_id=user_id))
        await self.flush()
