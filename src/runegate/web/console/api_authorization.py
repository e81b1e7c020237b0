"""Console: an application's API Authorization tab (Asgardeo's steps: Authorize an API
Resource, pick its scopes, Finish; edit the scopes; remove) and the token tester, which
shows what a client_credentials request would grant without issuing a token."""

from __future__ import annotations

from dataclasses import dataclass

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
from runegate.management.applications import service
from runegate.management.applications.schemas import ApplicationResponse
from runegate.management.applications.schemas import AuthorizedApi
from runegate.management.applications.schemas import AuthorizedApiCreate
from runegate.management.applications.schemas import AuthorizedApiPatch
from runegate.oauth.scopes import grant_scopes
from runegate.oauth.scopes import parse_scope
from runegate.oauth.service import server_of
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import ConsoleAuth
from runegate.web.console.forms import admin_form
from runegate.web.console.forms import error_text
from runegate.web.console.forms import not_found
from runegate.web.console.forms import render

RESOURCE_PAGE = 100


@dataclass(frozen=True, slots=True)
class AuthorizedView:
    """One authorized API resource with every scope it has (for the checkboxes)."""

    api: AuthorizedApi
    scopes: list[ScopeItem]

    def checked(self, name: str) -> bool:
        return any(s.name == name for s in self.api.authorizedScopes)


@dataclass(frozen=True, slots=True)
class TesterResult:
    requested: tuple[str, ...]
    granted: tuple[str, ...]
    problem: str | None


class ApiAuthorizationPages:
    def __init__(self, state: AppState, auth: ConsoleAuth) -> None:
        self.state = state
        self.auth = auth

    async def _load(self, request: Request) -> tuple[ConsoleAdmin, ApplicationResponse] | Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        tenant: TenantContext = request.state.tenant
        app_id = str(request.path_params["app_id"])
        try:
            app = await service.get_application(state=self.state, tenant=tenant, app_id=app_id)
        except IdpError as exc:
            return not_found(request, admin, exc, "applications")
        return admin, app

    async def _views(self, tenant: TenantContext, app_id: str) -> list[AuthorizedView]:
        apis = await authorization.list_authorized(state=self.state, tenant=tenant, app_id=app_id)
        return [
            AuthorizedView(
                api, await api_service.get_scopes(state=self.state, tenant=tenant, api_id=api.id)
            )
            for api in apis
        ]

    async def tab(
        self, request: Request, *, error: str | None = None, status: int = 200
    ) -> Response:
        loaded = await self._load(request)
        if isinstance(loaded, Response):
            return loaded
        admin, app = loaded
        tenant: TenantContext = request.state.tenant
        return render(
            request,
            admin,
            "console/application_apis.html",
            status=status,
            section="applications",
            tab="api-authorization",
            app=app,
            authorized=await self._views(tenant, app.id),
            error=error,
            saved=request.query_params.get("saved"),
        )

    async def new(
        self,
        request: Request,
        *,
        error: str | None = None,
        status: int = 200,
        chosen: str | None = None,
        picked: list[str] | None = None,
    ) -> Response:
        """Step 1: choose the API resource; step 2 (`?api=`): its scopes, then Finish."""
        loaded = await self._load(request)
        if isinstance(loaded, Response):
            return loaded
        admin, app = loaded
        tenant: TenantContext = request.state.tenant
        done = {
            a.id
            for a in await authorization.list_authorized(
                state=self.state, tenant=tenant, app_id=app.id
            )
        }
        listed = await list_resources(
            state=self.state, tenant=tenant, query=CursorQuery(limit=RESOURCE_PAGE)
        )
        choices = [r for r in listed.APIResources if r.id not in done]
        chosen = chosen or request.query_params.get("api") or None
        resource, scopes = None, []
        if chosen:
            try:
                resource = await api_service.get_resource(
                    state=self.state, tenant=tenant, api_id=chosen
                )
                scopes = resource.scopes
            except IdpError as exc:  # keep the first error (the one the form caused)
                error, status, resource = error or exc.description, exc.status, None
        return render(
            request,
            admin,
            "console/application_api_new.html",
            status=status,
            section="applications",
            tab="api-authorization",
            app=app,
            choices=choices,
            resource=resource,
            scopes=scopes,
            picked=set(picked or ()),
            error=error,
        )

    async def authorize(self, request: Request) -> Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        _admin, form = posted
        tenant: TenantContext = request.state.tenant
        app_id, api_id = str(request.path_params["app_id"]), form.get("api")
        scopes = form.all("scopes")
        try:
            if not api_id:
                raise InvalidInput("Choose the API resource to authorize.")
            if not scopes:
                raise InvalidInput("Choose at least one scope of the API resource.")
            body = AuthorizedApiCreate.model_validate(
                {"id": api_id, "policyIdentifier": "RBAC", "scopes": scopes}
            )
            await authorization.authorize(state=self.state, tenant=tenant, app_id=app_id, body=body)
        except (IdpError, ValueError) as exc:
            code = exc.status if isinstance(exc, IdpError) else 400
            return await self.new(
                request, error=error_text(exc), status=code, chosen=api_id or None, picked=scopes
            )
        return _back(tenant, app_id)

    async def update(self, request: Request) -> Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        _admin, form = posted
        tenant: TenantContext = request.state.tenant
        app_id, api_id = str(request.path_params["app_id"]), str(request.path_params["api_id"])
        wanted = set(form.all("scopes"))
        try:
            current = {
                s.name
                for a in await authorization.list_authorized(
                    state=self.state, tenant=tenant, app_id=app_id
                )
                if a.id == api_id
                for s in a.authorizedScopes
            }
            body = AuthorizedApiPatch(
                addedScopes=sorted(wanted - current), removedScopes=sorted(current - wanted)
            )
            await authorization.patch_authorized(
                state=self.state, tenant=tenant, app_id=app_id, api_id=api_id, body=body
            )
        except (IdpError, ValueError) as exc:
            code = exc.status if isinstance(exc, IdpError) else 400
            return await self.tab(request, error=error_text(exc), status=code)
        return _back(tenant, app_id)

    async def remove(self, request: Request) -> Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        _admin, _form = posted
        tenant: TenantContext = request.state.tenant
        app_id, api_id = str(request.path_params["app_id"]), str(request.path_params["api_id"])
        try:
            await authorization.unauthorize(
                state=self.state, tenant=tenant, app_id=app_id, api_id=api_id
            )
        except IdpError as exc:
            return await self.tab(request, error=exc.description, status=exc.status)
        return _back(tenant, app_id)

    async def tester(self, request: Request) -> Response:
        """What `grant_type=client_credentials` with `scope=...` would grant (no token)."""
        loaded = await self._load(request)
        if isinstance(loaded, Response):
            return loaded
        admin, app = loaded
        tenant: TenantContext = request.state.tenant
        text = request.query_params.get("scope")
        result = None if text is None else await self._would_grant(tenant, app.id, text[:4000])
        return render(
            request,
            admin,
            "console/application_tester.html",
            status=400 if result and result.problem and not result.requested else 200,
            section="applications",
            tab="token-tester",
            app=app,
            scope=text or "",
            result=result,
        )

    async def _would_grant(self, tenant: TenantContext, app_id: str, text: str) -> TesterResult:
        """The token endpoint's own rules: RFC 6749 §3.3 syntax, §4.4 confidential only,
        then requested ∩ authorized (CONTRACT §4.3) from the token service's client."""
        try:
            requested = parse_scope(text)
        except IdpError as exc:
            return TesterResult((), (), exc.description)
        record = await server_of(self.state).clients.by_application_id(tenant.org_id, app_id)
        if record is None:
            return TesterResult(requested, (), "This application has no OAuth2/OIDC client.")
        problem = None
        if "client_credentials" not in record.grant_types:
            problem = "The application is not allowed the client_credentials grant."
        elif record.public_client:
            problem = "Public clients cannot use the client_credentials grant."
        elif not record.active:
            problem = "The client is revoked: regenerate its secret first."
        return TesterResult(requested, grant_scopes(requested, record.scopes), problem)


def _back(tenant: TenantContext, app_id: str) -> Response:
    url = f"/t/{tenant.root_name}/console/applications/{app_id}/api-authorization?saved=1"
    return RedirectResponse(url, status_code=303)
