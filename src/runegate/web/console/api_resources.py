"""Console: API Resources (list, create with scopes, edit, add and delete scopes, delete),
through the API resource management service."""

from __future__ import annotations

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
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import ConsoleAuth
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import admin_form
from runegate.web.console.forms import error_text
from runegate.web.console.forms import field_errors
from runegate.web.console.forms import not_found
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of

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


class ApiResourcePages:
    def __init__(self, state: AppState, auth: ConsoleAuth) -> None:
        self.state = state
        self.auth = auth

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
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        admin, form = posted
        tenant: TenantContext = request.state.tenant
        try:
            body = ApiResourceCreate(
                name=form.get("name"),
                identifier=form.get("identifier"),
                description=form.get("description") or None,
                scopes=scopes_of(form),
            )
            created = await service.create_resource(state=self.state, tenant=tenant, body=body)
        except (IdpError, ValidationError) as exc:
            return self._new_page(request, admin, form, error_text(exc), status_of(exc))
        return RedirectResponse(console_path(tenant, f"/api-resources/{created.id}"), 303)

    async def show(
        self, request: Request, *, error: str | None = None, status: int = 200
    ) -> Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        tenant: TenantContext = request.state.tenant
        api_id = str(request.path_params["api_id"])
        try:
            resource = await service.get_resource(state=self.state, tenant=tenant, api_id=api_id)
        except IdpError as exc:
            return not_found(request, admin, exc, SECTION)
        return render(
            request,
            admin,
            "console/api_resource.html",
            status=status,
            section=SECTION,
            resource=resource,
            error=error,
            saved=request.query_params.get("saved"),
        )

    async def _write(self, request: Request, action: str) -> Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        _admin, form = posted
        tenant: TenantContext = request.state.tenant
        api_id = str(request.path_params["api_id"])
        try:
            if action == "delete":
                form.confirm_delete("API resource")
                await service.delete_resource(state=self.state, tenant=tenant, api_id=api_id)
                return RedirectResponse(console_path(tenant, "/api-resources"), 303)
            if action == "delete-scope":
                await service.delete_scope(
                    state=self.state, tenant=tenant, api_id=api_id, name=form.get("scope")
                )
            else:
                body = _patch_body(form, action)
                await service.patch_resource(
                    state=self.state, tenant=tenant, api_id=api_id, body=body
                )
        except (IdpError, ValidationError) as exc:
            return await self.show(request, error=error_text(exc), status=status_of(exc))
        return RedirectResponse(console_path(tenant, f"/api-resources/{api_id}?saved=1"), 303)

    async def update(self, request: Request) -> Response:
        return await self._write(request, "update")

    async def add_scope(self, request: Request) -> Response:
        return await self._write(request, "add-scope")

    async def delete_scope(self, request: Request) -> Response:
        return await self._write(request, "delete-scope")

    async def delete(self, request: Request) -> Response:
        return await self._write(request, "delete")


def _patch_body(form: Form, action: str) -> ApiResourcePatch:
    if action == "add-scope":
        scopes = scopes_of(form)
        if not scopes:
            raise api_errors.INVALID_REQUEST.error(reason="Enter the scope's name.")
        return ApiResourcePatch(addedScopes=scopes)
    return ApiResourcePatch(name=form.get("name"), description=form.get("description") or None)
