"""Console: Applications (list, search, create from a template, general settings, delete)
and the protocol tab (client id, secret shown once, regenerate, callbacks, grant types,
access token type and lifetimes). Every action calls the management services."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.management.applications import errors as app_errors
from runegate.management.applications import inbound
from runegate.management.applications import service
from runegate.management.applications import templates
from runegate.management.applications.listing import ListQuery
from runegate.management.applications.listing import list_applications
from runegate.management.applications.oidc_schemas import OidcConfig
from runegate.management.applications.schemas import ApplicationCreate
from runegate.management.applications.schemas import ApplicationPatch
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import error_text
from runegate.web.console.forms import field_errors
from runegate.web.console.forms import not_found
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of
from runegate.web.console.section import Posted
from runegate.web.console.section import SectionForms

PAGE_SIZE = 50
# The Console's templates, as Asgardeo's "new application" page offers them.
TEMPLATE_CHOICES = (
    (templates.STANDARD_OIDC, "Standard-based application (OIDC)", True),
    ("single-page-application", "Single-page application", True),
    (templates.M2M, "Machine-to-machine (M2M) application", False),
)
GRANT_CHOICES = ("authorization_code", "refresh_token", "client_credentials", "password")
# The new-application form's fields and the words the services' messages use for them.
NEW_APP_FIELDS = (
    ("callback", ("callback", "redirect")),
    ("description", ("description",)),
    ("name", ("name",)),
)
TOKEN_TYPES = (("Default", "Opaque (Default)"), ("JWT", "JWT"))
# A tab of one application's page: (request, administrator, application id) -> page.
Tab = Callable[[Request, ConsoleAdmin, str], Awaitable[Response]]
Page = Callable[..., Awaitable[Response]]  # a tab with its keywords (error, status, saved)
Save = Callable[[Posted], Awaitable[None]]


def app_url(tenant: TenantContext, app_id: str, tab: str = "") -> str:
    return console_path(tenant, f"/applications/{app_id}{tab}")


class ApplicationPages(SectionForms):
    section = "applications"
    path = "/applications"
    id_param = "app_id"

    async def _admin(self, request: Request) -> ConsoleAdmin | Response:
        return await self.auth.current(request)

    # -- list and create --------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        admin = await self._admin(request)
        if isinstance(admin, Response):
            return admin
        tenant: TenantContext = request.state.tenant
        search = request.query_params.get("q", "").strip()[:200]
        offset = max(0, _int(request.query_params.get("offset"), 0))
        error = None
        try:
            query = ListQuery(PAGE_SIZE, offset, _contains("name", search))
            found = await list_applications(state=self.state, tenant=tenant, query=query)
            apps, total = found.applications, found.totalResults
        except IdpError as exc:
            apps, total, error = [], 0, exc.description
        return render(
            request,
            admin,
            "console/applications.html",
            status=400 if error else 200,
            section="applications",
            apps=apps,
            total=total,
            search=search,
            offset=offset,
            page_size=PAGE_SIZE,
            error=error,
        )

    async def new(self, request: Request) -> Response:
        admin = await self._admin(request)
        if isinstance(admin, Response):
            return admin
        chosen = request.query_params.get("template", templates.STANDARD_OIDC)
        return self._new_page(request, admin, {"template": chosen}, None)

    def _new_page(
        self,
        request: Request,
        admin: ConsoleAdmin,
        values: dict[str, str],
        error: str | None,
        status: int = 200,
    ) -> Response:
        errors = field_errors(error, NEW_APP_FIELDS, "name") if error else None
        return render(
            request,
            admin,
            "console/application_new.html",
            status=status,
            section="applications",
            choices=TEMPLATE_CHOICES,
            values=values,
            error=error,
            errors=errors,
        )

    async def create(self, request: Request) -> Response:
        posted = await self._posted(request, "create")
        if isinstance(posted, Response):
            return posted
        admin, form, tenant = posted.admin, posted.form, posted.tenant
        values = {k: form.get(k) for k in ("name", "template", "callback", "description")}
        try:
            body = _create_body(values)
            created = await service.create_application(
                state=self.state, tenant=tenant, body=body, template_id=None
            )
        except (IdpError, ValidationError) as exc:
            return self._new_page(request, admin, values, error_text(exc), status_of(exc))
        return await self._protocol_page(
            request, admin, created.id, secret=created.clientSecret, status=201, created=True
        )

    # -- one application --------------------------------------------------------------

    async def _tab(self, request: Request, page: Tab) -> Response:
        """A tab of one application's page, for the signed-in administrator."""
        admin = await self._admin(request)
        if isinstance(admin, Response):
            return admin
        return await page(request, admin, str(request.path_params["app_id"]))

    async def general(self, request: Request) -> Response:
        return await self._tab(request, self._general_page)

    async def _general_page(
        self,
        request: Request,
        admin: ConsoleAdmin,
        app_id: str,
        *,
        error: str | None = None,
        status: int = 200,
        saved: bool = False,
    ) -> Response:
        tenant: TenantContext = request.state.tenant
        try:
            app = await service.get_application(state=self.state, tenant=tenant, app_id=app_id)
        except IdpError as exc:
            return self._missing(request, admin, exc)
        return render(
            request,
            admin,
            "console/application_general.html",
            status=status,
            section="applications",
            tab="general",
            app=app,
            error=error,
            saved=saved,
        )

    def _missing(self, request: Request, admin: ConsoleAdmin, exc: IdpError) -> Response:
        return not_found(request, admin, exc, "applications")

    async def update(self, request: Request) -> Response:
        return await self._save(request, "update", self._general_page, self._patch)

    async def _patch(self, posted: Posted) -> None:
        form = posted.form
        body = ApplicationPatch(name=form.get("name"), description=form.get("description"))
        await service.patch_application(
            state=self.state, tenant=posted.tenant, app_id=posted.object_id, body=body
        )

    async def _save(self, request: Request, action: str, page: Page, save: Save) -> Response:
        """A tab's form: save it, then show the tab saved, or again with the error."""
        posted = await self._posted(request, action)
        if isinstance(posted, Response):
            return posted
        admin, app_id = posted.admin, posted.object_id
        try:
            await save(posted)
        except (IdpError, ValidationError) as exc:
            return await page(request, admin, app_id, error=error_text(exc), status=status_of(exc))
        return await page(request, admin, app_id, saved=True)

    async def delete(self, request: Request) -> Response:
        posted = await self._posted(request, "delete")
        if isinstance(posted, Response):
            return posted
        admin, form, tenant = posted.admin, posted.form, posted.tenant
        app_id = posted.object_id
        if form.get("confirm") != "yes":
            message = "Tick the box to confirm that the application is to be deleted."
            return await self._general_page(request, admin, app_id, error=message, status=400)
        try:
            await service.delete_application(state=self.state, tenant=tenant, app_id=app_id)
        except IdpError as exc:
            return self._missing(request, admin, exc)
        return RedirectResponse(console_path(tenant, "/applications"), status_code=303)

    # -- protocol tab -----------------------------------------------------------------

    async def protocol(self, request: Request) -> Response:
        return await self._tab(request, self._protocol_page)

    async def _protocol_page(
        self,
        request: Request,
        admin: ConsoleAdmin,
        app_id: str,
        *,
        secret: str | None = None,
        status: int = 200,
        error: str | None = None,
        created: bool = False,
        saved: bool = False,
    ) -> Response:
        tenant: TenantContext = request.state.tenant
        try:
            app = await service.get_application(state=self.state, tenant=tenant, app_id=app_id)
        except IdpError as exc:
            return self._missing(request, admin, exc)
        try:
            config: OidcConfig | None = await inbound.get_oidc(
                state=self.state, tenant=tenant, app_id=app_id
            )
        except IdpError:
            config = None
        return render(
            request,
            admin,
            "console/application_protocol.html",
            status=status,
            section="applications",
            tab="protocol",
            app=app,
            config=config,
            secret=secret,
            error=error,
            created=created,
            saved=saved,
            grant_choices=GRANT_CHOICES,
            token_types=TOKEN_TYPES,
        )

    async def update_protocol(self, request: Request) -> Response:
        return await self._save(request, "update-protocol", self._protocol_page, self._put_oidc)

    async def _put_oidc(self, posted: Posted) -> None:
        tenant, app_id = posted.tenant, posted.object_id
        current = await inbound.get_oidc(state=self.state, tenant=tenant, app_id=app_id)
        body = _protocol_body(current, posted.form)
        await inbound.put_oidc(state=self.state, tenant=tenant, app_id=app_id, body=body)

    async def regenerate_secret(self, request: Request) -> Response:
        posted = await self._posted(request, "regenerate-secret")
        if isinstance(posted, Response):
            return posted
        admin, _form, tenant = posted.admin, posted.form, posted.tenant
        app_id = posted.object_id
        try:
            config = await inbound.regenerate_secret(state=self.state, tenant=tenant, app_id=app_id)
        except IdpError as exc:
            return await self._protocol_page(
                request, admin, app_id, error=exc.description, status=exc.status
            )
        return await self._protocol_page(request, admin, app_id, secret=config.clientSecret)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or default)
    except ValueError:
        return default


def _contains(field: str, text: str) -> str | None:
    """A management filter for `field co text` (quotes cannot be escaped there)."""
    if not text:
        return None
    return f'{field} co "{text.replace(chr(34), "")}"'


def _create_body(values: dict[str, str]) -> ApplicationCreate:
    template_id = values["template"]
    choice = next((c for c in TEMPLATE_CHOICES if c[0] == template_id), None)
    if choice is None:
        raise app_errors.INVALID_REQUEST.error(reason="Choose one of the templates.")
    body: dict[str, Any] = {"name": values["name"], "templateId": template_id}
    if values["description"]:
        body["description"] = values["description"]
    if choice[2]:  # a sign-in application: its callback URL
        grants = list(templates.template_for(template_id).grants)
        callbacks = [values["callback"]] if values["callback"] else []
        oidc = {"grantTypes": grants, "callbackURLs": callbacks}
        body["inboundProtocolConfiguration"] = {"oidc": oidc}
    return ApplicationCreate.model_validate(body)


def _protocol_body(current: OidcConfig, form: Form) -> OidcConfig:
    """The current configuration with the protocol tab's fields replaced."""
    data = current.model_dump(exclude={"clientSecret", "state"})
    data["grantTypes"] = form.all("grantTypes")
    data["callbackURLs"] = form.lines("callbackURLs")
    data["allowedOrigins"] = form.lines("allowedOrigins")
    token = data["accessToken"]
    token["type"] = form.get("accessTokenType", token["type"])
    token["userAccessTokenExpiryInSeconds"] = _seconds(form, "userAccessTokenExpiry")
    token["applicationAccessTokenExpiryInSeconds"] = _seconds(form, "appAccessTokenExpiry")
    data["refreshToken"]["expiryInSeconds"] = _seconds(form, "refreshTokenExpiry")
    data["idToken"]["expiryInSeconds"] = _seconds(form, "idTokenExpiry")
    return OidcConfig.model_validate(data)


def _seconds(form: Form, name: str) -> int:
    text = form.get(name)
    if not text.isdigit() or len(text) > 9:
        raise app_errors.INVALID_OIDC.error(field=name, reason="enter a whole number of seconds")
    return int(text)
