"""Users and groups of one organization."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select

from runegate.storage.models.user import Group
from runegate.storage.models.user import GroupMember
from runegate.storage.models.user import User
from runegate.storage.models.user import UserEmail
from runegate.storage.repositories.base import TenantRepository
from runegate.storage.repositories.base import among


class UserRepository(TenantRepository[User]):
    model = User
    not_found = "The user does not exist."
    conflict = "A user with this userName already exists in the organization."
    counted = "User"

    async def find_by_username(self, user_name: str) -> User | None:
        """userName is not case-exact (RFC 7643 §4.1.1)."""
        return await self.find_by(user_name_ci=user_name.lower())

    async def find_many(self, user_ids: Iterable[str]) -> Sequence[User]:
        ids = list(dict.fromkeys(user_ids))
        if not ids:
            return []
        return await self.list(self.select().where(User.id.in_(ids)))

    async def replace_emails(self, user_id: str, emails: Sequence[dict[str, Any]]) -> None:
        """Rewrite the indexed copy of `emails` (values, types, primary flags)."""
        await self.session.execute(
            delete(UserEmail).where(UserEmail.org_id == self.org_id, UserEmail.user_id == user_id)
        )
        rows = [
            {
                "user_id": user_id,
                "position": position,
                "org_id": self.org_id,
                "value": str(email["value"]),
                "value_ci": str(email["value"]).lower(),
                "type": email.get("type"),
                "primary": bool(email.get("primary")),
            }
            for position, email in enumerate(emails)
            if email.get("value")
        ]
        if rows:
            await self.session.execute(insert(UserEmail), rows)


Member = tuple[User, str | None]  # a group member and its `display` as written


class GroupRepository(TenantRepository[Group]):
    model = Group
    not_found = "The group does not exist."
    conflict = "A group with this displayName already exists in the organization."

    async def find_by_name(self, display_name: str) -> Group | None:
        return await self.find_by(display_name_ci=display_name.lower())

    async def members(self, group_id: str) -> list[Member]:
        return (await self.members_of([group_id])).get(group_id, [])

    async def members_of(self, group_ids: Sequence[str]) -> dict[str, list[Member]]:
        """Members (user, display as written) of several groups at once, by group id."""
        if not group_ids:
            return {}
        stmt = (
            select(GroupMember.group_id, User, GroupMember.display)
            .join(User, GroupMember.user_id == User.id)
            .where(
                GroupMember.org_id == self.org_id,
                among(self.session, GroupMember.group_id, group_ids),
                User.org_id == self.org_id,
            )
            .order_by(User.user_name_ci)
        )
        found: dict[str, list[Member]] = {}
        for group_id, user, display in (await self.session.execute(stmt)).all():
            found.setdefault(group_id, []).append((user, display))
        return found

    async def groups_of(self, user_id: str) -> Sequence[Group]:
        return (await self.groups_of_users([user_id])).get(user_id, [])

    async def groups_of_users(self, user_ids: Sequence[str]) -> dict[str, list[Group]]:
        """The groups of several users at once (one query), by user id."""
        if not user_ids:
            return {}
        stmt = (
            select(GroupMember.user_id, Group)
            .join(Group, GroupMember.group_id == Group.id)
            .where(
                GroupMember.org_id == self.org_id,
                among(self.session, GroupMember.user_id, user_ids),
                Group.org_id == self.org_id,
            )
            .order_by(Group.display_name_ci)
        )
        found: dict[str, list[Group]] = {}
        for user_id, group in (await self.session.execute(stmt)).all():
            found.setdefault(user_id, []).append(group)
        return found

    async def member_ids(self, group_id: str) -> list[str]:
        stmt = select(GroupMember.user_id).where(
            GroupMember.org_id == self.org_id, GroupMember.group_id == group_id
        )
        return list((await self.session.execute(stmt)).scalars().all())

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
