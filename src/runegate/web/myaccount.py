"""My Account pages at `/t/{org}/myaccount`: profile, password, two-step verification,
sessions and consented applications for the signed-in user.

Server-rendered (Jinja2, no script), every form CSRF-protected (signed double-submit
cookie); each action calls the same services as the end-user APIs and `/scim2/Me`
(`myaccount/service.py`, `identity/mfa.py`, `scim/users.py`). A visitor without an SSO
session is sent through the organization's own sign-in (`web/myaccount_app.py`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.crypto.sealed import seal
from runegate.crypto.sealed import unseal
from runegate.errors import IdpError
from runegate.oauth.service import server_of
from runegate.state import AppState
from runegate.storage import changes
from runegate.tenancy.context import TenantContext
from runegate.web import csrf
from runegate.web import myaccount_app as entry
from runegate.web.myaccount_views import ACTIONS
from runegate.web.myaccount_views import SECTIONS
from runegate.web.myaccount_views import Page
from runegate.web.pages import render_page
from runegate.web.routes import error_page
from runegate.web.routes import read_params
from runegate.web.sessions import SESSION_COOKIE
from runegate.web.sessions import SessionStore
from runegate.web.sessions import SignedIn
from runegate.web.sessions import cookie_options

EXPIRED = "This form has expired. Reload the page and try again."


class MyAccountPages:
    def __init__(self, state: AppState) -> None:
        self.state = state
        self.keys = state.settings.secret_keys
        self.sessions = SessionStore(state.db, self.keys)
        self.codes = server_of(state).codes

    async def signed_in(self, request: Request) -> SignedIn | None:
        tenant: TenantContext = request.state.tenant
        return await self.sessions.find(tenant, request.cookies.get(SESSION_COOKIE))

    async def start_sign_in(self, request: Request) -> Response:
        """To the organization's authorization endpoint with the My Account client."""
        tenant: TenantContext = request.state.tenant
        async with self.state.db.read() as session:
            current = await entry.app_is_current(session, tenant)
        if not current:  # first use: a write only then
            async with self.state.db.write() as session:
                if await entry.ensure_app(session, tenant):
                    await changes.bump(session)
            self.state.caches.changed()
        state, verifier, challenge = entry.new_flow()
        sealed = seal(self.keys, f"myaccount:{tenant.root_id}", {"s": state, "v": verifier})
        response = RedirectResponse(entry.authorize_url(tenant, state, challenge), 303)
        options = cookie_options(tenant) | {"path": entry.HOME_PATH.format(org=tenant.root_name)}
        response.set_cookie(entry.FLOW_COOKIE, sealed, max_age=600, **options)
        return response

    async def callback(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        params = request.query_params
        flow = unseal(
            self.keys, f"myaccount:{tenant.root_id}", request.cookies.get(entry.FLOW_COOKIE)
        )
        if flow is None or params.get("state") != flow.get("s") or not params.get("code"):
            return error_page(tenant, "The sign-in did not complete. Open My Account again.")
        try:
            await self.codes.redeem(
                tenant,
                params["code"],
                client_id=entry.client_id_of(tenant),
                redirect_uri=entry.callback_url(tenant),
                verifier=str(flow.get("v")),
            )
        except IdpError:
            return error_page(tenant, "The sign-in did not complete. Open My Account again.")
        response = RedirectResponse(entry.HOME_PATH.format(org=tenant.root_name), 303)
        response.delete_cookie(entry.FLOW_COOKIE, path=entry.HOME_PATH.format(org=tenant.root_name))
        return response

    def page(self, request: Request, page: Page, signed_in: SignedIn) -> Response:
        tenant: TenantContext = request.state.tenant
        cookie = csrf.usable_cookie(request.cookies.get(csrf.CSRF_COOKIE))
        value = cookie or csrf.new_cookie_value()
        response = render_page(
            f"myaccount/{page.section}.html",
            status=page.status,
            org_name=tenant.root_name,
            base=entry.HOME_PATH.format(org=tenant.root_name),
            section=page.section,
            sections=SECTIONS,
            user_name=signed_in.user_name,
            csrf_token=csrf.csrf_token(self.keys[0], value),
            **{k: v for k, v in page.context.items() if k != "status"},
        )
        if cookie is None:
            response.set_cookie(csrf.CSRF_COOKIE, value, **cookie_options(tenant))
        return response

    async def show(self, request: Request) -> Response:
        section = request.path_params.get("section", "profile")
        if section not in SECTIONS:
            return error_page(request.state.tenant, "There is no such page.", status=404)
        signed_in = await self.signed_in(request)
        if signed_in is None:
            return await self.start_sign_in(request)
        view = SECTIONS[section]
        return self.page(request, await view(self.state, request, signed_in, {}), signed_in)

    async def act(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        action = ACTIONS.get(request.path_params.get("action", ""))
        signed_in = await self.signed_in(request)
        if action is None:
            return error_page(tenant, "There is no such action.", status=404)
        if signed_in is None:
            return RedirectResponse(entry.HOME_PATH.format(org=tenant.root_name), 303)
        try:
            form: dict[str, Any] = await read_params(request)
        except IdpError as exc:
            return error_page(tenant, exc.description)
        if not csrf.check_csrf(
            self.keys, request.cookies.get(csrf.CSRF_COOKIE), form.get("csrf_token")
        ):
            return error_page(tenant, EXPIRED, status=403)
        outcome = await action(self.state, request, signed_in, form)
        if isinstance(outcome, Response):
            return outcome
        return self.page(request, outcome, signed_in)


def myaccount_router(state: AppState) -> APIRouter:
    pages = MyAccountPages(state)
    router = APIRouter(include_in_schema=False)
    router.add_route(entry.CALLBACK_PATH, pages.callback, methods=["GET"])
    router.add_route(entry.HOME_PATH, pages.show, methods=["GET"])
    router.add_route(entry.HOME_PATH + "/{section}", pages.show, methods=["GET"])
    router.add_route(entry.HOME_PATH + "/actions/{action}", pages.act, methods=["POST"])
    return router
