"""Console: Roles (list, create for the organization or an application, permissions
picker, assign users and groups, rename, delete) through the role service that Roles v2
uses. An application role's picker offers the scopes authorized for that application;
an organization role's offers every API resource's scopes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.errors import InvalidInput
from runegate.management.api_resources import service as api_service
from runegate.management.api_resources.listing import CursorQuery
from runegate.management.api_resources.listing import list_resources
from runegate.management.api_resources.schemas import ScopeItem
from runegate.management.applications import authorization
from runegate.management.applications.listing import ListQuery
from runegate.management.applications.listing import list_applications
from runegate.roles import service
from runegate.roles.listing import audience_names
from runegate.roles.listing import load_links
from runegate.roles.wire import RoleLinks
from runegate.roles.wire import input_of
from runegate.storage.models.role import Role
from runegate.storage.repositories.roles import RoleRepository
from runegate.storage.repositories.users import GroupRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import field_errors
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of
from runegate.web.console.section import Posted
from runegate.web.console.section import SectionPages

SECTION = "roles"
# The new-role form's fields and the words the role service's messages use for them.
NEW_ROLE_FIELDS = (("audience", ("audience", "application")),)
MAX_ROLES = 200


@dataclass(frozen=True, slots=True)
class PickerGroup:
    """One API resource of the permissions picker."""

    name: str
    identifier: str
    scopes: list[ScopeItem]


async def _input(session: AsyncSession, tenant: TenantContext, role: Role) -> service.RoleInput:
    return input_of(role, await load_links(session, tenant, role))


async def changed_input(
    session: AsyncSession, tenant: TenantContext, role: Role, action: str, form: Form
) -> service.RoleInput:
    data = await _input(session, tenant, role)
    if action == "rename":
        data.display_name = form.get("displayName")
    elif action == "permissions":
        data.permissions = form.all("permissions")
    elif action == "add-user":
        user = await UserRepository(session, tenant=tenant).find_by_username(form.get("userName"))
        if user is None:
            raise InvalidInput(
                f"No user named {form.get('userName')[:100]!r} in this organization."
            )
        data.users = [*data.users, user.id]
    elif action == "add-group":
        group = await GroupRepository(session, tenant=tenant).find_by_name(form.get("groupName"))
        if group is None:
            raise InvalidInput(
                f"No group named {form.get('groupName')[:100]!r} in this organization."
            )
        data.groups = [*data.groups, group.id]
    elif action == "remove-user":
        data.users = [u for u in data.users if u != form.get("id")]
    elif action == "remove-group":
        data.groups = [g for g in data.groups if g != form.get("id")]
    return data


class RolePages(SectionPages):
    section = SECTION
    path = "/roles"
    template = "console/role.html"
    id_param = "role_id"

    async def _applications(self, tenant: TenantContext) -> list[tuple[str, str]]:
        listed = await list_applications(
            state=self.state, tenant=tenant, query=ListQuery(limit=MAX_ROLES)
        )
        return [(a.id, a.name) for a in listed.applications]

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
        tenant: TenantContext = request.state.tenant
        async with self.state.db.read() as session:
            repo = RoleRepository(session, tenant=tenant)
            roles = await repo.list(repo.select().order_by(Role.display_name_ci).limit(MAX_ROLES))
            names = await audience_names(session, tenant, roles)
        return render(
            request,
            admin,
            "console/roles.html",
            status=status,
            section=SECTION,
            roles=roles,
            names=names,
            applications=await self._applications(tenant),
            error=error,
            errors=errors,
        )

    async def create(self, request: Request) -> Response:
        posted = await self._posted(request, "create")
        if isinstance(posted, Response):
            return posted
        form, tenant = posted.form, posted.tenant
        audience = form.get("audience")
        data = service.RoleInput(display_name=form.get("displayName")[:255])
        if audience != "organization":
            data.audience_type, data.audience_value = service.APPLICATION, audience
        try:
            async with self.state.db.write() as session:
                role = await service.create_role(session, tenant, data)
        except IdpError as exc:
            errors = field_errors(exc.description, NEW_ROLE_FIELDS, "displayName")
            return await self.index(
                request, error=exc.description, errors=errors, status=status_of(exc)
            )
        return RedirectResponse(console_path(tenant, f"/roles/{role.id}"), 303)

    async def _picker(self, tenant: TenantContext, role: Role) -> list[PickerGroup]:
        if role.audience_type == service.APPLICATION:
            try:
                apis = await authorization.list_authorized(
                    state=self.state, tenant=tenant, app_id=role.audience_value
                )
            except IdpError:  # a system application's role: nothing to pick here
                return []
            return [
                PickerGroup(
                    a.displayName,
                    a.identifier,
                    [
                        ScopeItem(id=s.id, name=s.name, displayName=s.displayName)
                        for s in a.authorizedScopes
                    ],
                )
                for a in apis
            ]
        listed = await list_resources(
            state=self.state, tenant=tenant, query=CursorQuery(limit=MAX_ROLES)
        )
        out = []
        for resource in listed.APIResources:
            scopes = await api_service.get_scopes(
                state=self.state, tenant=tenant, api_id=resource.id
            )
            if scopes:
                out.append(PickerGroup(resource.name, resource.identifier, scopes))
        return out

    async def _load(
        self, _admin: ConsoleAdmin, tenant: TenantContext, role_id: str
    ) -> dict[str, Any]:
        async with self.state.db.read() as session:
            role = await RoleRepository(session, tenant=tenant).get(role_id)
            links: RoleLinks = await load_links(session, tenant, role)
        return {"role": role, "links": links, "held": {name for name, _ in links.permissions}}

    async def _extra(self, tenant: TenantContext, context: dict[str, Any]) -> dict[str, Any]:
        return {"picker": await self._picker(tenant, context["role"])}

    async def _apply(self, posted: Posted) -> None:
        tenant = posted.tenant
        async with self.state.db.write() as session:
            role = await RoleRepository(session, tenant=tenant).get(posted.object_id)
            if posted.action == "delete":
                posted.form.confirm_delete("role")
                await service.delete_role(session, tenant, role.id)
                return
            data = await changed_input(session, tenant, role, posted.action, posted.form)
            await service.update_role(session, tenant, role.id, data)

    async def rename(self, request: Request) -> Response:
        return await self._change(request, "rename")

    async def permissions(self, request: Request) -> Response:
        return await self._change(request, "permissions")

    async def add_user(self, request: Request) -> Response:
        return await self._change(request, "add-user")

    async def remove_user(self, request: Request) -> Response:
        return await self._change(request, "remove-user")

    async def add_group(self, request: Request) -> Response:
        return await self._change(request, "add-group")

    async def remove_group(self, request: Request) -> Response:
        return await self._change(request, "remove-group")

    async def delete(self, request: Request) -> Response:
        return await self._change(request, "delete")
