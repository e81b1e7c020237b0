"""HTTP glue for RP-initiated logout: `GET/POST /t/{org}/oidc/logout` and the
confirmation form it renders (posting to `/t/{org}/authenticationendpoint/logout`).

A request is checked first (`oidc/logout.py`); a failed check is an error page and never
a redirect. With a verified `id_token_hint` naming the signed-in user the session ends at
once; otherwise the user confirms on a CSRF-protected form. Ending the session deletes it
(queuing the back-channel logout of its applications) and clears the cookie; the browser
then goes to the verified `post_logout_redirect_uri` with `state`, or sees a page.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.crypto.sealed import seal
from runegate.crypto.sealed import unseal
from runegate.oauth.endpoints.authorize import PageError
from runegate.oauth.service import server_of
from runegate.oidc.logout import LogoutError
from runegate.oidc.logout import LogoutRequest
from runegate.oidc.logout import validate_logout
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web import csrf
from runegate.web.clients import ApplicationClients
from runegate.web.pages import render_page
from runegate.web.responses import NO_STORE
from runegate.web.routes import EXPIRED
from runegate.web.routes import error_page
from runegate.web.routes import form_page
from runegate.web.routes import read_params
from runegate.web.sessions import SESSION_COOKIE
from runegate.web.sessions import SessionStore
from runegate.web.sessions import cookie_options

LOGOUT_PATH = "/t/{org}/oidc/logout"
CONFIRM_PATH = "/t/{org}/authenticationendpoint/logout"
HEADING = "The sign-out cannot continue"
HINT = "Return to the application and try again."


class LogoutEndpoints:
    def __init__(self, state: AppState) -> None:
        server = server_of(state)
        self.keys = state.settings.secret_keys
        self.hint_keys = server.keys
        self.clients = ApplicationClients(state.db, server.clients)
        self.sessions = SessionStore(state.db, self.keys)

    async def _validated(
        self, request: Request, params: dict[str, str]
    ) -> LogoutRequest | Response:
        tenant: TenantContext = request.state.tenant
        try:
            return await validate_logout(tenant, params, self.clients, self.hint_keys)
        except LogoutError as exc:
            return error_page(tenant, exc.description, heading=HEADING, hint=HINT)

    async def logout(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        try:
            params = await read_params(request)
        except PageError as exc:
            return error_page(tenant, exc.description, heading=HEADING, hint=HINT)
        lreq = await self._validated(request, params)
        if isinstance(lreq, Response):
            return lreq
        signed_in = await self.sessions.find(tenant, request.cookies.get(SESSION_COOKIE))
        if signed_in is not None and lreq.hint_subject != signed_in.user_id:
            # RP-Initiated Logout §6: without a hint for this user, ask first.
            return form_page(
                self.keys,
                request,
                "logout_confirm.html",
                200,
                redirect_to=lreq.redirect_uri,
                user_name=signed_in.user_name,
                app_name=lreq.client.name if lreq.client else None,
                action=CONFIRM_PATH.format(org=tenant.root_name),
                sealed=seal(self.keys, f"logout:{tenant.root_id}", {"params": dict(lreq.params)}),
            )
        return await self._end(request, lreq)

    async def confirm(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        try:
            form = await read_params(request)
        except PageError as exc:
            return error_page(tenant, exc.description, heading=HEADING, hint=HINT)
        if not csrf.check_csrf(
            self.keys, request.cookies.get(csrf.CSRF_COOKIE), form.get("csrf_token")
        ):
            return error_page(tenant, EXPIRED, status=403, heading=HEADING, hint=HINT)
        payload = unseal(self.keys, f"logout:{tenant.root_id}", form.get("request"))
        if payload is None or not isinstance(payload.get("params"), dict):
            return error_page(tenant, EXPIRED, heading=HEADING, hint=HINT)
        lreq = await self._validated(
            request, {str(k): str(v) for k, v in payload["params"].items()}
        )
        if isinstance(lreq, Response):
            return lreq
        if form.get("decision") != "logout":
            return render_page(
                "logout_done.html",
                org_name=tenant.root_name,
                heading="You are still signed in",
                message="You can close this window.",
            )
        return await self._end(request, lreq)

    async def _end(self, request: Request, lreq: LogoutRequest) -> Response:
        """End the cookie's session, clear the cookie, then redirect or show a page."""
        tenant: TenantContext = request.state.tenant
        await self.sessions.end(tenant, request.cookies.get(SESSION_COOKIE))
        response: Response
        if lreq.redirect_uri is not None:
            query = urlencode({"state": lreq.state}) if lreq.state is not None else ""
            separator = "&" if "?" in lreq.redirect_uri else "?"
            url = f"{lreq.redirect_uri}{separator}{query}" if query else lreq.redirect_uri
            status = 303 if request.method == "POST" else 302
            response = RedirectResponse(url, status_code=status, headers=NO_STORE)
        else:
            response = render_page(
                "logout_done.html",
                org_name=tenant.root_name,
                heading="You are signed out",
                message="You can close this window.",
            )
        response.delete_cookie(SESSION_COOKIE, **cookie_options(tenant))
        return response


def logout_router(state: AppState) -> APIRouter:
    endpoints = LogoutEndpoints(state)
    router = APIRouter()
    router.add_route(LOGOUT_PATH, endpoints.logout, methods=["GET", "POST"])
    router.add_route(CONFIRM_PATH, endpoints.confirm, methods=["POST"])
    return router
