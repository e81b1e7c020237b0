"""Console: Organizations (the tree of sub-organizations, create one under any of them,
delete) through the organization management service; share applications with them
through the application sharing service (as `POST /applications/{id}/share`)."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.errors import InvalidInput
from runegate.management.applications import sharing
from runegate.management.applications.listing import ListQuery
from runegate.management.applications.listing import list_applications
from runegate.management.applications.schemas import ApplicationShareRequest
from runegate.management.organizations import service
from runegate.management.organizations.listing import OrgQuery
from runegate.management.organizations.listing import list_organizations
from runegate.management.organizations.schemas import OrganizationCreate
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAuth
from runegate.web.console.auth import console_path
from runegate.web.console.forms import admin_form
from runegate.web.console.forms import error_text
from runegate.web.console.forms import field_errors
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of

SECTION = "organizations"
# The new-organization form's fields and the words the service's messages use for them.
NEW_ORG_FIELDS = (("parent", ("parent",)), ("description", ("description",)))
MAX_SHOWN = 100
ALL_CHILDREN = "all"  # the share form's target for "every sub-organization, now and later"


@dataclass
class Node:
    id: str
    name: str
    status: str
    children: list[Node] = field(default_factory=list)


class OrganizationPages:
    def __init__(self, state: AppState, auth: ConsoleAuth) -> None:
        self.state = state
        self.auth = auth

    async def _tree(self, tenant: TenantContext) -> tuple[list[Node], list[Node]]:
        """(top-level nodes with their children, every node) of the first organizations."""
        listed = await list_organizations(
            state=self.state, tenant=tenant, query=OrgQuery(limit=MAX_SHOWN, recursive=True)
        )
        nodes = {o.id: Node(o.id, o.name, o.status) for o in listed.organizations}
        top: list[Node] = []
        for org_id, node in nodes.items():
            full = await service.get_organization(state=self.state, tenant=tenant, org_id=org_id)
            parent = nodes.get(full.parent.id) if full.parent else None
            (parent.children if parent else top).append(node)
        return top, list(nodes.values())

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
        top, every = await self._tree(tenant)
        listed = await list_applications(
            state=self.state, tenant=tenant, query=ListQuery(limit=MAX_SHOWN)
        )
        shared = []  # (application, names of the organizations it is shared with)
        for app in listed.applications:
            orgs = await sharing.shared_organizations(
                state=self.state, tenant=tenant, app_id=app.id
            )
            shared.append((app, [o.name for o in orgs.organizations]))
        return render(
            request,
            admin,
            "console/organizations.html",
            status=status,
            section=SECTION,
            tree=top,
            every=every,
            shared=shared,
            all_children=ALL_CHILDREN,
            error=error,
            errors=errors,
            saved=request.query_params.get("saved"),
        )

    async def create(self, request: Request) -> Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        admin, form = posted
        tenant: TenantContext = request.state.tenant
        try:
            body = OrganizationCreate(
                name=form.get("name"),
                description=form.get("description") or None,
                parentId=form.get("parent") or None,
            )
            await service.create_organization(
                state=self.state, tenant=tenant, body=body, creator=admin.user_id
            )
        except (IdpError, ValidationError) as exc:
            message = error_text(exc)
            errors = field_errors(message, NEW_ORG_FIELDS, "name")
            return await self.index(request, error=message, errors=errors, status=status_of(exc))
        return RedirectResponse(console_path(tenant, "/organizations?saved=1"), 303)

    async def delete(self, request: Request) -> Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        _admin, form = posted
        tenant: TenantContext = request.state.tenant
        org_id = str(request.path_params["org_id"])
        try:
            form.confirm_delete("organization")
            await service.delete_organization(state=self.state, tenant=tenant, org_id=org_id)
        except IdpError as exc:
            return await self.index(request, error=exc.description, status=exc.status)
        return RedirectResponse(console_path(tenant, "/organizations?saved=1"), 303)

    async def share(self, request: Request) -> Response:
        """Share an application with one sub-organization or with all of them."""
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        _admin, form = posted
        tenant: TenantContext = request.state.tenant
        target = form.get("target")
        try:
            if not target:
                raise InvalidInput("Choose the organization to share the application with.")
            body = ApplicationShareRequest(
                shareWithAllChildren=target == ALL_CHILDREN,
                sharedOrganizations=[] if target == ALL_CHILDREN else [target],
            )
            await sharing.share(
                state=self.state, tenant=tenant, app_id=form.get("application"), body=body
            )
        except IdpError as exc:
            return await self.index(request, error=exc.description, status=exc.status)
        return RedirectResponse(console_path(tenant, "/organizations?saved=1"), 303)
