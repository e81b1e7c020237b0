"""HTTP glue for RP-initiated logout: `GET/POST /t/{org}/oidc/logout` and the
confirmation form it renders (posting to `/t/{org}/authenticationendpoint/logout`).

A request is checked first (`oidc/logout.py`); a failed check is an error page and never
a redirect. With a verified `id_token_hint` naming the signed-in user the session ends at
once; otherwise the user confirms on a CSRF-protected form. Ending the session deletes it
(queuing the back-channel logout of its applications) and clears the cookie; the browser
then goes to the verified `post_logout_redirect_uri` with `state`, or sees a page. The
sessions of sub-organizations signed in through this browser (`fidp=OrganizationSSO`,
one cookie each) end with the root's: a hint must name the user of every one of them to
skip the confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from runegate.web.sessions import SignedIn
from runegate.web.sessions import cookie_options
from runegate.web.sessions import org_session_cookies

LOGOUT_PATH = "/t/{org}/oidc/logout"
CONFIRM_PATH = "/t/{org}/authenticationendpoint/logout"
HEADING = "The sign-out cannot continue"
HINT = "Return to the application and try again."


@dataclass(frozen=True, slots=True)
class BrowserSession:
    """One SSO session cookie of the browser in this root organization."""

    cookie: str
    raw: str | None
    tenant: TenantContext | None  # its organization (None: not one of this root's)


class LogoutEndpoints:
    def __init__(self, state: AppState) -> None:
        server = server_of(state)
        self.keys = state.settings.secret_keys
        self.hint_keys = server.keys
        self.clients = ApplicationClients(state.db, server.clients)
        self.sessions = SessionStore(state.db, self.keys)
        self.orgs = server.grants.orgs

    async def _cookies(self, request: Request) -> list[BrowserSession]:
        """The root's session cookie and the sub-organizations' (`session_cookie`)."""
        tenant: TenantContext = request.state.tenant
        found = [BrowserSession(SESSION_COOKIE, request.cookies.get(SESSION_COOKIE), tenant)]
        for name, org_id, raw in org_session_cookies(request.cookies):
            org = await self.orgs.find(tenant, org_id) if self.orgs is not None else None
            acting = tenant.for_org(org.id, org.name) if org is not None else None
            found.append(BrowserSession(name, raw, acting))
        return found

    async def _signed_in(self, cookies: list[BrowserSession]) -> list[SignedIn]:
        live = []
        for cookie in cookies:
            if cookie.tenant is not None:
                signed_in = await self.sessions.find(cookie.tenant, cookie.raw)
                live += [signed_in] if signed_in is not None else []
        return live

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
        cookies = await self._cookies(request)
        others = [s for s in await self._signed_in(cookies) if s.user_id != lreq.hint_subject]
        if others:
            # RP-Initiated Logout §6: without a hint for this user, ask first.
            return form_page(
                self.keys,
                request,
                "logout_confirm.html",
                200,
                redirect_to=lreq.redirect_uri,
                user_name=others[0].user_name,
                app_name=lreq.client.name if lreq.client else None,
                action=CONFIRM_PATH.format(org=tenant.root_name),
                sealed=seal(self.keys, f"logout:{tenant.root_id}", {"params": dict(lreq.params)}),
            )
        return await self._end(request, lreq, cookies)

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
        return await self._end(request, lreq, await self._cookies(request))

    async def _end(
        self, request: Request, lreq: LogoutRequest, cookies: list[BrowserSession]
    ) -> Response:
        """End the cookies' sessions, clear the cookies, then redirect or show a page."""
        tenant: TenantContext = request.state.tenant
        for cookie in cookies:
            if cookie.tenant is not None:
                await self.sessions.end(cookie.tenant, cookie.raw)
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
        for cookie in cookies:
            response.delete_cookie(cookie.cookie, **cookie_options(tenant))
        return response


def logout_router(state: AppState) -> APIRouter:
    endpoints = LogoutEndpoints(state)
    router = APIRouter()
    router.add_route(LOGOUT_PATH, endpoints.logout, methods=["GET", "POST"])
    router.add_route(CONFIRM_PATH, endpoints.confirm, methods=["POST"])
    return router
