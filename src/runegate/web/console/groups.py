"""Console: Groups (search, create, rename, add and remove members, delete) through the
identity group service that SCIM uses (membership changes clear cached role scopes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.errors import InvalidInput
from runegate.identity import groups as identity
from runegate.storage.models.user import Group
from runegate.storage.repositories.users import GroupRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of
from runegate.web.console.section import Posted
from runegate.web.console.section import SectionPages

PAGE_SIZE = 50
SECTION = "groups"


async def member_profile(
    session: AsyncSession, tenant: TenantContext, group: Group, ids: list[str]
) -> identity.GroupProfile:
    """The group as it is, with these member ids (their displays kept)."""
    members = await GroupRepository(session, tenant=tenant).members(group.id)
    displays = {user.id: display or user.user_name for user, display in members}
    return identity.GroupProfile(
        display_name=group.display_name,
        external_id=group.external_id,
        member_ids=ids,
        displays=displays,
        document=dict(group.attributes),
    )


async def changed_members(
    session: AsyncSession, tenant: TenantContext, group: Group, action: str, form: Form
) -> identity.GroupProfile:
    current = [u.id for u, _ in await GroupRepository(session, tenant=tenant).members(group.id)]
    if action == "remove-member":
        return await member_profile(
            session, tenant, group, [i for i in current if i != form.get("user")]
        )
    name = form.get("userName")
    user = await UserRepository(session, tenant=tenant).find_by_username(name) if name else None
    if user is None:
        raise InvalidInput(f"No user named {name[:100]!r} in this organization.")
    profile = await member_profile(session, tenant, group, [*current, user.id])
    profile.displays.setdefault(user.id, user.user_name)
    return profile


class GroupPages(SectionPages):
    section = SECTION
    path = "/groups"
    template = "console/group.html"
    id_param = "group_id"

    async def index(
        self,
        request: Request,
        *,
        error: str | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        search, total, rows = await self._search(
            request, identity.search_groups, Group.display_name_ci, PAGE_SIZE
        )
        return render(
            request,
            admin,
            "console/groups.html",
            status=status,
            section=SECTION,
            groups=rows,
            total=total,
            search=search,
            error=error,
            errors=errors,
        )

    async def create(self, request: Request) -> Response:
        posted = await self._posted(request, "create")
        if isinstance(posted, Response):
            return posted
        tenant = posted.tenant
        name = posted.form.get("displayName")
        try:
            if not name:
                raise InvalidInput("Enter the group's name.")
            async with self.state.db.write() as session:
                group = await identity.create_group(
                    session, tenant, identity.GroupProfile(display_name=name[:255])
                )
        except IdpError as exc:
            errors = {"displayName": exc.description}
            return await self.index(
                request, error=exc.description, errors=errors, status=status_of(exc)
            )
        return RedirectResponse(console_path(tenant, f"/groups/{group.id}"), 303)

    async def _load(
        self, _admin: ConsoleAdmin, tenant: TenantContext, group_id: str
    ) -> dict[str, Any]:
        async with self.state.db.read() as session:
            repo = GroupRepository(session, tenant=tenant)
            group = await repo.get(group_id)
            members = [user for user, _ in await repo.members(group.id)]
        return {"group": group, "members": members}

    async def _apply(self, posted: Posted) -> None:
        form, tenant, action = posted.form, posted.tenant, posted.action
        async with self.state.db.write() as session:
            group = await GroupRepository(session, tenant=tenant).get(posted.object_id)
            if action == "delete":
                form.confirm_delete("group")
                await identity.delete_group(session, tenant, group.id, expected_version=None)
                return
            if action == "rename":
                ids = [
                    u.id for u, _ in await GroupRepository(session, tenant=tenant).members(group.id)
                ]
                profile = await member_profile(session, tenant, group, ids)
                profile.display_name = form.get("displayName")[:255]
                if not profile.display_name:
                    raise InvalidInput("Enter the group's name.")
            else:
                profile = await changed_members(session, tenant, group, action, form)
            await identity.update_group(session, tenant, group.id, profile)

    async def rename(self, request: Request) -> Response:
        return await self._change(request, "rename")

    async def add_member(self, request: Request) -> Response:
        return await self._change(request, "add-member")

    async def remove_member(self, request: Request) -> Response:
        return await self._change(request, "remove-member")

    async def delete(self, request: Request) -> Response:
        return await self._change(request, "delete")
