"""HTTP glue for sign-in: `/t/{org}/oauth2/authorize` (GET and POST) and the hosted
login and consent forms it renders (posting to `/t/{org}/authenticationendpoint/...`).

Errors before the redirect URI is verified are shown on an error page (RFC 6749
§4.1.2.1, §10.15: never redirect to an unverified URI); later errors are redirected.
Every form carries a CSRF token; a failed check creates no session.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runegate.audit.context import current_facts
from runegate.crypto.sealed import seal
from runegate.crypto.sealed import unseal
from runegate.errors import IdpError
from runegate.errors import InvalidGrant
from runegate.errors import LimitExceeded
from runegate.errors import OAuthError
from runegate.errors import ServiceUnavailable
from runegate.oauth.endpoints.authorize import AccessDeniedByUser
from runegate.oauth.endpoints.authorize import AuthorizationRequest
from runegate.oauth.endpoints.authorize import PageError
from runegate.oauth.endpoints.authorize import RedirectError
from runegate.oauth.endpoints.authorize import parse_params
from runegate.oauth.endpoints.authorize import validate
from runegate.oauth.request import FORM
from runegate.oauth.service import server_of
from runegate.roles.store import AccountLocked
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web import csrf
from runegate.web.clients import ApplicationClients
from runegate.web.flow import BAD_LOGIN
from runegate.web.flow import SigninFlow
from runegate.web.native import AUTHN_PATH
from runegate.web.native import NativeSignin
from runegate.web.native import is_direct
from runegate.web.org_signin import needs_picker
from runegate.web.org_signin import organization_tenant
from runegate.web.org_signin import wants_organization
from runegate.web.pages import render_page
from runegate.web.responses import respond_error
from runegate.web.second_factor import TOTP_PATH
from runegate.web.second_factor import SecondFactorStep
from runegate.web.sessions import SESSION_LIFETIME
from runegate.web.sessions import SessionStore
from runegate.web.sessions import SignedIn
from runegate.web.sessions import cookie_options
from runegate.web.sessions import session_cookie

AUTHORIZE_PATH = "/t/{org}/oauth2/authorize"
LOGIN_PATH = "/t/{org}/authenticationendpoint/login"
CONSENT_PATH = "/t/{org}/authenticationendpoint/consent"
LOCKED = (
    "This account is temporarily locked after too many failed sign-in attempts. "
    "Try again later, or ask your administrator to unlock it."
)
TOO_MANY = "Too many failed sign-in attempts from your network. Try again later."
BUSY = "Sign-in is busy right now. Please try again in a moment."
EXPIRED = "This sign-in form has expired or is invalid. Start the sign-in again."
OIDC_SCOPE_TEXT = {
    "openid": "Sign you in (your user identifier)",
    "profile": "Your basic profile",
    "email": "Your email address",
    "phone": "Your phone number",
    "address": "Your postal address",
    "offline_access": "Access while you are not present",
}


def error_page(
    tenant: TenantContext,
    message: str,
    status: int = 400,
    *,
    heading: str | None = None,
    hint: str | None = None,
) -> Response:
    return render_page(
        "error.html",
        status=status,
        org_name=tenant.root_name,
        message=message,
        heading=heading,
        hint=hint,
    )


def form_page(
    keys: tuple[bytes, ...],
    request: Request,
    template: str,
    status: int,
    *,
    redirect_to: str | None = None,
    **ctx: Any,
) -> Response:
    """A page with a CSRF-protected form (sets the CSRF cookie when the browser has none)."""
    tenant: TenantContext = request.state.tenant
    cookie = csrf.usable_cookie(request.cookies.get(csrf.CSRF_COOKIE))
    value = cookie or csrf.new_cookie_value()
    response = render_page(
        template,
        status=status,
        redirect_to=redirect_to,
        org_name=tenant.root_name,
        csrf_token=csrf.csrf_token(keys[0], value),
        **ctx,
    )
    if cookie is None:
        response.set_cookie(csrf.CSRF_COOKIE, value, **cookie_options(tenant))
    return response


async def read_params(request: Request) -> dict[str, str]:
    """Query parameters (GET) or a form body (POST), checked by `parse_params`."""
    if request.method == "GET":
        return parse_params(request.scope["query_string"].decode("latin-1"))
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media != FORM:
        raise PageError("The request body must be application/x-www-form-urlencoded.")
    return parse_params((await request.body()).decode("latin-1"))


class SigninEndpoints(SecondFactorStep):
    def __init__(self, state: AppState) -> None:
        server = server_of(state)
        self.keys = state.settings.secret_keys
        self.db = state.db
        self.clients = ApplicationClients(state.db, server.clients)
        self.sessions = SessionStore(state.db, self.keys)
        self.flow = SigninFlow(state.db, server.grants.users, server.codes)
        self.orgs = server.grants.orgs
        self.native = NativeSignin(
            state.db, self.keys, self.clients, self.flow, server.authenticator
        )

    # -- pages ---------------------------------------------------------------------

    def _form_page(
        self,
        request: Request,
        template: str,
        status: int,
        *,
        redirect_to: str | None = None,
        **ctx: Any,
    ) -> Response:
        return form_page(self.keys, request, template, status, redirect_to=redirect_to, **ctx)

    def login_page(
        self,
        request: Request,
        areq: AuthorizationRequest,
        *,
        error: str | None = None,
        username: str | None = None,
    ) -> Response:
        tenant: TenantContext = request.state.tenant
        sealed = seal(self.keys, f"login:{tenant.root_id}", {"params": dict(areq.params)})
        return self._form_page(
            request,
            "login.html",
            400 if error else 200,
            # A successful sign-in may redirect straight to the client (consent skipped).
            redirect_to=areq.target.redirect_uri,
            app_name=areq.client.name,
            action=LOGIN_PATH.format(org=tenant.root_name),
            sealed=sealed,
            error=error,
            username=username if username is not None else areq.login_hint or "",
            # A sub-organization's sign-in (web/org_signin.py) names that organization.
            signin_org=tenant.org_name if tenant.switched else None,
        )

    def org_picker(self, request: Request, areq: AuthorizationRequest) -> Response:
        """Asks for the organization's name; the form sends the same request with `org`."""
        tenant: TenantContext = request.state.tenant
        return render_page(
            "org_picker.html",
            status=200,
            redirect_to=areq.target.redirect_uri,
            org_name=tenant.root_name,
            app_name=areq.client.name,
            action=AUTHORIZE_PATH.format(org=tenant.root_name),
            params=sorted(areq.params.items()),
        )

    def consent_page(
        self,
        request: Request,
        areq: AuthorizationRequest,
        signed_in: SignedIn,
        granted: tuple[str, ...],
    ) -> Response:
        tenant: TenantContext = request.state.tenant
        payload = {"params": dict(areq.params), "sid": signed_in.sid}
        return self._form_page(
            request,
            "consent.html",
            200,
            redirect_to=areq.target.redirect_uri,
            app_name=areq.client.name,
            user_name=signed_in.user_name,
            scopes=[OIDC_SCOPE_TEXT.get(scope, scope) for scope in granted],
            action=CONSENT_PATH.format(org=tenant.root_name),
            sealed=seal(self.keys, f"consent:{tenant.root_id}", payload),
        )

    # -- flow ----------------------------------------------------------------------

    async def proceed(
        self,
        request: Request,
        areq: AuthorizationRequest,
        signed_in: SignedIn | None,
        *,
        fresh: bool = False,
        consented: bool = False,
    ) -> Response:
        tenant: TenantContext = request.state.tenant
        after_post = request.method == "POST"
        try:
            decision = await self.flow.decide(
                tenant, areq, signed_in, fresh=fresh, consented=consented
            )
        except OAuthError as exc:
            return respond_error(areq.target, exc, after_post=after_post)
        if decision.page == "login" or signed_in is None:
            return self.login_page(request, areq)
        if decision.page == "consent":
            return self.consent_page(request, areq, signed_in, decision.granted)
        if consented:
            await self.flow.remember_consent(tenant, areq, signed_in.user_id, decision.granted)
        return await self.flow.finish(request, areq, signed_in, decision.granted)

    async def _validated(
        self, request: Request, params: Mapping[str, Any]
    ) -> AuthorizationRequest | Response:
        tenant: TenantContext = request.state.tenant
        after_post = request.method == "POST"
        try:
            areq = await validate(tenant, {str(k): str(v) for k, v in params.items()}, self.clients)
        except PageError as exc:
            return error_page(tenant, exc.description)
        except RedirectError as exc:
            return respond_error(exc.target, exc.error, after_post=after_post)
        if wants_organization(areq.params):
            if needs_picker(areq):
                return self.org_picker(request, areq)
            # The rest of the flow acts in the sub-organization (web/org_signin.py).
            try:
                request.state.tenant = await organization_tenant(tenant, areq, self.orgs)
            except OAuthError as exc:
                return respond_error(areq.target, exc, after_post=after_post)
        return areq

    async def authorize(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        try:
            params = await read_params(request)
        except PageError as exc:
            return error_page(tenant, exc.description)
        if is_direct(params):  # app-native authentication answers JSON (web/native.py)
            return await self.native.start(request, params)
        areq = await self._validated(request, params)
        if isinstance(areq, Response):
            return areq
        tenant = request.state.tenant  # the sub-organization of an organization sign-in
        signed_in = await self.sessions.find(tenant, request.cookies.get(session_cookie(tenant)))
        return await self.proceed(request, areq, signed_in)

    async def _posted(
        self, request: Request, stage: str
    ) -> tuple[dict[str, str], dict[str, Any], AuthorizationRequest] | Response:
        """The posted form, its sealed payload and the re-validated authorization
        request, after the CSRF check; or the page or redirect that ends the flow."""
        tenant: TenantContext = request.state.tenant
        try:
            form = await read_params(request)
        except PageError as exc:
            return error_page(tenant, exc.description)
        cookie = request.cookies.get(csrf.CSRF_COOKIE)
        if not csrf.check_csrf(self.keys, cookie, form.get("csrf_token")):
            return error_page(tenant, EXPIRED, status=403)
        payload = unseal(self.keys, f"{stage}:{tenant.root_id}", form.get("request"))
        if payload is None or not isinstance(payload.get("params"), dict):
            return error_page(tenant, EXPIRED)
        areq = await self._validated(request, payload["params"])
        if isinstance(areq, Response):
            return areq
        return form, payload, areq

    async def login(self, request: Request) -> Response:
        checked = await self._posted(request, "login")
        if isinstance(checked, Response):
            return checked
        form, _payload, areq = checked
        tenant: TenantContext = request.state.tenant
        username, password = form.get("username", ""), form.get("password", "")
        client_id = areq.client.record.client_id
        try:
            # The user store applies the lockout and verifies in the bounded pool.
            user_id = await self.flow.check_password(tenant, client_id, username, password)
        except (InvalidGrant, LimitExceeded, ServiceUnavailable) as exc:
            return self.refused(request, areq, exc, username)
        if await self.flow.users.needs_second_factor(tenant, user_id):
            return self.second_factor_page(request, areq, user_id, username)
        return await self.signed_in(request, areq, user_id, username)

    async def signed_in(
        self, request: Request, areq: AuthorizationRequest, user_id: str, username: str
    ) -> Response:
        """Every factor checked: a new SSO session, then the rest of the flow."""
        tenant: TenantContext = request.state.tenant
        old = request.cookies.get(session_cookie(tenant))
        raw, signed_in = await self.sessions.create(
            tenant,
            user_id,
            username,
            replacing=old,
            ip=current_facts().client_ip,
            user_agent=request.headers.get("user-agent"),
        )
        response = await self.proceed(request, areq, signed_in, fresh=True)
        response.set_cookie(
            session_cookie(tenant),
            raw,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            **cookie_options(tenant),
        )
        return response

    def refused(
        self, request: Request, areq: AuthorizationRequest, exc: IdpError, username: str
    ) -> Response:
        """The login form again, saying why (docs/security.md: what the page reveals)."""
        message = BAD_LOGIN
        if isinstance(exc, AccountLocked):
            message = LOCKED
        elif isinstance(exc, LimitExceeded):
            message = TOO_MANY
        elif isinstance(exc, ServiceUnavailable):
            message = BUSY
        response = self.login_page(request, areq, error=message, username=username)
        if not isinstance(exc, InvalidGrant):
            response.status_code = exc.status
            response.headers.update(exc.headers)
        return response

    async def consent(self, request: Request) -> Response:
        checked = await self._posted(request, "consent")
        if isinstance(checked, Response):
            return checked
        form, payload, areq = checked
        tenant: TenantContext = request.state.tenant
        signed_in = await self.sessions.find(tenant, request.cookies.get(session_cookie(tenant)))
        if signed_in is None or signed_in.sid != payload.get("sid"):
            return self.login_page(request, areq)
        if form.get("decision") != "approve":
            denied = AccessDeniedByUser("The user denied the request.")
            return respond_error(areq.target, denied, after_post=True)
        return await self.proceed(request, areq, signed_in, fresh=True, consented=True)


def signin_router(state: AppState) -> APIRouter:
    endpoints = SigninEndpoints(state)
    router = APIRouter()
    router.add_route(AUTHORIZE_PATH, endpoints.authorize, methods=["GET", "POST"])
    router.add_route(LOGIN_PATH, endpoints.login, methods=["POST"])
    router.add_route(CONSENT_PATH, endpoints.consent, methods=["POST"])
    router.add_route(AUTHN_PATH, endpoints.native.authn, methods=["POST"])
    router.add_route(TOTP_PATH, endpoints.second_factor, methods=["POST"])
    return router
