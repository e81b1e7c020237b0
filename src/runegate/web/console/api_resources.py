"""Console: API Resources (list, create with scopes, edit, add and delete scopes, delete),
through the API resource management service."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.management.api_resources import errors as api_errors
from runegate.management.api_resources import service
from runegate.management.api_resources.listing import CursorQuery
from runegate.management.api_resources.listing import list_resources
from runegate.management.api_resources.schemas import ApiResourceCreate
from runegate.management.api_resources.schemas import ApiResourcePatch
from runegate.management.api_resources.schemas import ScopeCreate
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import error_text
from runegate.web.console.forms import field_errors
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of
from runegate.web.console.section import Posted
from runegate.web.console.section import SectionPages

PAGE_SIZE = 100
SECTION = "api-resources"
# The new-resource form's fields and the words the service's messages use for them (a
# message about the scopes stays at the top of the form).
NEW_RESOURCE_FIELDS = (
    ("identifier", ("identifier",)),
    ("scopes", ("scope",)),
    ("name", ("name",)),
)


def scopes_of(form: Form) -> list[ScopeCreate]:
    """Scope rows of the form: `scope_name` / `scope_display` pairs (blank rows skipped)."""
    names, displays = form.fields.get("scope_name", []), form.fields.get("scope_display", [])
    out = []
    for index, name in enumerate(names):
        display = displays[index].strip() if index < len(displays) else ""
        if name.strip():
            out.append(ScopeCreate(name=name.strip(), displayName=display or None))
    return out


class ApiResourcePages(SectionPages):
    section = SECTION
    path = "/api-resources"
    template = "console/api_resource.html"
    id_param = "api_id"
    refused = (IdpError, ValidationError)

    async def index(self, request: Request) -> Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        tenant: TenantContext = request.state.tenant
        after = request.query_params.get("after") or None
        error = None
        try:
            listed = await list_resources(
                state=self.state, tenant=tenant, query=CursorQuery(after=after, limit=PAGE_SIZE)
            )
            resources, total = listed.APIResources, listed.totalResults
            more = any(link.rel == "next" for link in listed.links)
        except IdpError as exc:
            resources, total, more, error = [], 0, False, exc.description
        return render(
            request,
            admin,
            "console/api_resources.html",
            status=400 if error else 200,
            section=SECTION,
            resources=resources,
            total=total,
            next_after=resources[-1].id if more and resources else None,
            error=error,
        )

    def _new_page(
        self,
        request: Request,
        admin: ConsoleAdmin,
        form: Form | None,
        error: str | None,
        status: int = 200,
    ) -> Response:
        return render(
            request,
            admin,
            "console/api_resource_new.html",
            status=status,
            section=SECTION,
            form=form or Form({}),
            error=error,
            errors=field_errors(error, NEW_RESOURCE_FIELDS, None) if error else None,
        )

    async def new(self, request: Request) -> Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        return self._new_page(request, admin, None, None)

    async def create(self, request: Request) -> Response:
        posted = await self._posted(request, "create")
        if isinstance(posted, Response):
            return posted
        form, tenant = posted.form, posted.tenant
        try:
            body = ApiResourceCreate(
                name=form.get("name"),
                identifier=form.get("identifier"),
                description=form.get("description") or None,
                scopes=scopes_of(form),
            )
            created = await service.create_resource(state=self.state, tenant=tenant, body=body)
        except (IdpError, ValidationError) as exc:
            return self._new_page(request, posted.admin, form, error_text(exc), status_of(exc))
        return RedirectResponse(console_path(tenant, f"/api-resources/{created.id}"), 303)

    async def _load(
        self, _admin: ConsoleAdmin, tenant: TenantContext, api_id: str
    ) -> dict[str, Any]:
        return {
            "resource": await service.get_resource(state=self.state, tenant=tenant, api_id=api_id)
        }

    async def _apply(self, posted: Posted) -> None:
        form, tenant, api_id = posted.form, posted.tenant, posted.object_id
        if posted.action == "delete":
            form.confirm_delete("API resource")
            await service.delete_resource(state=self.state, tenant=tenant, api_id=api_id)
        elif posted.action == "delete-scope":
            await service.delete_scope(
                state=self.state, tenant=tenant, api_id=api_id, name=form.get("scope")
            )
        else:
            body = _patch_body(form, posted.action)
            await service.patch_resource(state=self.state, tenant=tenant, api_id=api_id, body=body)

    async def update(self, request: Request) -> Response:
        return await self._change(request, "update")

    async def add_scope(self, request: Request) -> Response:
        return await self._change(request, "add-scope")

    async def delete_scope(self, request: Request) -> Response:
        return await self._change(request, "delete-scope")

    async def delete(self, request: Request) -> Response:
        return await self._change(request, "delete")


def _patch_body(form: Form, action: str) -> ApiResourcePatch:
    if action == "add-scope":
        scopes = scopes_of(form)
        if not scopes:
            raise api_errors.INVALID_REQUEST.error(reason="Enter the scope's name.")
        return ApiResourcePatch(addedScopes=scopes)
    return ApiResourcePatch(name=form.get("name"), description=form.get("description") or None)
