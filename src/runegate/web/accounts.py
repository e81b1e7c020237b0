"""Hosted account pages under `/t/{org}/accountrecovery/`: accept an invitation, recover a
forgotten password, confirm an email address.

Links are single use (`identity/account_links.py`). Opening a link only shows a form;
the link is used by the form's POST (mail scanners that prefetch links use nothing).
A refused link shows why (unknown, expired, used). Every form carries a CSRF token
(`web/csrf.py`). A new password follows the organization's policy; once set, every
token and SSO session of the user ends.

The recovery request answers the same page whether or not an account matches. It is
rate limited per user (3 links an hour, counted in the outbox) and per client address
(10 requests in 15 minutes, counted in this process).
"""

from __future__ import annotations

import time
from collections import deque
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runegate.errors import InvalidInput
from runegate.identity import users as identity
from runegate.identity.account_links import LinkRefused
from runegate.identity.account_links import Purpose
from runegate.identity.account_links import check_link
from runegate.identity.passwords import prehashed
from runegate.mail.outbox import enqueue_account_mail
from runegate.mail.outbox import recent_account_mails
from runegate.oauth.endpoints.authorize import PageError
from runegate.state import AppState
from runegate.storage.repositories.account_tokens import AccountTokenRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext
from runegate.web import csrf
from runegate.web.pages import render_page
from runegate.web.routes import EXPIRED
from runegate.web.routes import error_page
from runegate.web.routes import form_page
from runegate.web.routes import read_params

BASE = "/t/{org}/accountrecovery"
REFUSED = {
    "unknown": "This link is not valid. Ask for a new one.",
    "expired": "This link has expired. Ask for a new one.",
    "used": "This link has already been used. Ask for a new one if you need to.",
}
MISMATCH = "The two passwords differ."
PER_USER_PER_HOUR = 3
PER_ADDRESS = 10
ADDRESS_WINDOW = 15 * 60.0


class AddressLimiter:
    """At most `limit` requests per client address in a sliding window (this process)."""

    def __init__(self, limit: int = PER_ADDRESS, window: float = ADDRESS_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self.seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        now = time.monotonic()
        if len(self.seen) > 10_000:  # bounded memory: forget old addresses
            self.seen = {a: q for a, q in self.seen.items() if q and q[-1] > now - self.window}
        hits = self.seen.setdefault(address, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True


class AccountPages:
    def __init__(self, state: AppState) -> None:
        self.db = state.db
        self.keys = state.settings.secret_keys
        self.limiter = AddressLimiter()

    # -- helpers -----------------------------------------------------------------------

    def _form(self, request: Request, template: str, status: int = 200, **ctx: Any) -> Response:
        return form_page(self.keys, request, template, status, **ctx)

    async def _posted(self, request: Request) -> dict[str, str] | Response:
        tenant: TenantContext = request.state.tenant
        try:
            form = await read_params(request)
        except PageError as exc:
            return error_page(tenant, exc.description)
        if not csrf.check_csrf(
            self.keys, request.cookies.get(csrf.CSRF_COOKIE), form.get("csrf_token")
        ):
            return error_page(tenant, EXPIRED, status=403)
        return form

    def _done(self, request: Request, heading: str, message: str) -> Response:
        tenant: TenantContext = request.state.tenant
        return render_page(
            "account_done.html", org_name=tenant.root_name, heading=heading, message=message
        )

    def _refused(self, request: Request, exc: LinkRefused) -> Response:
        tenant: TenantContext = request.state.tenant
        return render_page(
            "account_error.html", status=400, org_name=tenant.root_name, message=REFUSED[exc.reason]
        )

    # -- set a password: invitation and recovery ---------------------------------------

    def _password_page(
        self,
        request: Request,
        purpose: Purpose,
        token: str,
        user_name: str,
        error: str | None = None,
    ) -> Response:
        tenant: TenantContext = request.state.tenant
        invite = purpose == "invite"
        return self._form(
            request,
            "account_password.html",
            400 if error else 200,
            heading="Choose your password" if invite else "Choose a new password",
            button="Set my password" if invite else "Change my password",
            action=f"{BASE.format(org=tenant.root_name)}/{'invitation' if invite else 'reset'}",
            token=token,
            user_name=user_name,
            error=error,
        )

    async def _link_user(
        self, tenant: TenantContext, token: str, purpose: Purpose
    ) -> tuple[str, str | None, str]:
        """(user id, email, userName) of a usable link; LinkRefused otherwise."""
        async with self.db.read() as session:
            link = await check_link(session, tenant, self.keys, token, purpose)
            user = await UserRepository(session, tenant=tenant).find(link.user_id)
        if user is None:
            raise LinkRefused("unknown")
        return user.id, link.email, user.user_name

    async def show_password(self, request: Request, purpose: Purpose) -> Response:
        token = request.query_params.get("token", "")
        try:
            _user_id, _email, user_name = await self._link_user(
                request.state.tenant, token, purpose
            )
        except LinkRefused as exc:
            return self._refused(request, exc)
        return self._password_page(request, purpose, token, user_name)

    async def set_password(self, request: Request, purpose: Purpose) -> Response:
        tenant: TenantContext = request.state.tenant
        form = await self._posted(request)
        if isinstance(form, Response):
            return form
        token, password = form.get("token", ""), form.get("password", "")
        try:
            _user_id, _email, user_name = await self._link_user(tenant, token, purpose)
            if password != form.get("confirm", ""):
                return self._password_page(request, purpose, token, user_name, MISMATCH)
            async with prehashed([password]), self.db.write() as session:
                link = await check_link(session, tenant, self.keys, token, purpose, redeem=True)
                # Ends the user's SSO sessions and tokens (identity.revocation).
                await identity.set_own_password(session, tenant, link.user_id, password)
        except LinkRefused as exc:
            return self._refused(request, exc)
        except InvalidInput as exc:  # the policy refused it; the link is still unused
            return self._password_page(request, purpose, token, user_name, exc.description)
        return self._done(
            request,
            "Your password is set" if purpose == "invite" else "Your password is changed",
            "You can now sign in with your new password.",
        )

    async def show_invitation(self, request: Request) -> Response:
        return await self.show_password(request, "invite")

    async def accept_invitation(self, request: Request) -> Response:
        return await self.set_password(request, "invite")

    async def show_reset(self, request: Request) -> Response:
        return await self.show_password(request, "recovery")

    async def reset(self, request: Request) -> Response:
        return await self.set_password(request, "recovery")

    # -- recovery request --------------------------------------------------------------

    def _forgot_page(self, request: Request, *, sent: bool, status: int = 200) -> Response:
        tenant: TenantContext = request.state.tenant
        return self._form(
            request,
            "account_forgot.html",
            status,
            action=f"{BASE.format(org=tenant.root_name)}/forgot",
            sent=sent,
        )

    async def show_forgot(self, request: Request) -> Response:
        return self._forgot_page(request, sent=False)

    async def forgot(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        form = await self._posted(request)
        if isinstance(form, Response):
            return form
        address = request.client.host if request.client else "unknown"
        if not self.limiter.allow(f"{tenant.root_id}:{address}"):
            return error_page(tenant, "Too many requests. Try again later.", status=429)
        login = form.get("login", "").strip()[:320]
        if login:
            await self._send_recovery(tenant, login)
        return self._forgot_page(request, sent=True)

    async def _send_recovery(self, tenant: TenantContext, login: str) -> None:
        since = datetime.now(UTC) - timedelta(hours=1)
        async with self.db.write() as session:
            found = await UserRepository(session, tenant=tenant).find_by_username(login)
            users = [found] if found is not None else []
            if not users and "@" in login:
                users = list(
                    await AccountTokenRepository(session, tenant=tenant).users_with_email(login)
                )
            for user in users:
                recipient = identity.primary_email(user.emails)
                if recipient is None or not user.active:
                    continue
                sent = await recent_account_mails(
                    session, tenant.org_id, user.id, "recovery", since
                )
                if sent < PER_USER_PER_HOUR:
                    enqueue_account_mail(
                        session,
                        tenant.org_id,
                        kind="recovery",
                        user_id=user.id,
                        recipient=recipient,
                    )

    # -- email verification ------------------------------------------------------------

    async def show_verify(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        token = request.query_params.get("token", "")
        try:
            _user_id, email, user_name = await self._link_user(tenant, token, "verify")
        except LinkRefused as exc:
            return self._refused(request, exc)
        return self._form(
            request,
            "account_confirm.html",
            action=f"{BASE.format(org=tenant.root_name)}/verify-email",
            token=token,
            user_name=user_name,
            email=email or "",
        )

    async def verify(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        form = await self._posted(request)
        if isinstance(form, Response):
            return form
        try:
            async with self.db.write() as session:
                link = await check_link(
                    session, tenant, self.keys, form.get("token", ""), "verify", redeem=True
                )
                user = await identity.mark_email_verified(
                    session, tenant, link.user_id, link.email or ""
                )
                if user is None:
                    raise LinkRefused("unknown")
        except LinkRefused as exc:
            return self._refused(request, exc)
        return self._done(
            request, "Email address confirmed", "Thank you: your email address is confirmed."
        )


def account_router(state: AppState) -> APIRouter:
    pages = AccountPages(state)
    router = APIRouter()
    base = BASE
    router.add_route(f"{base}/invitation", pages.show_invitation, methods=["GET"])
    router.add_route(f"{base}/invitation", pages.accept_invitation, methods=["POST"])
    router.add_route(f"{base}/reset", pages.show_reset, methods=["GET"])
    router.add_route(f"{base}/reset", pages.reset, methods=["POST"])
    router.add_route(f"{base}/forgot", pages.show_forgot, methods=["GET"])
    router.add_route(f"{base}/forgot", pages.forgot, methods=["POST"])
    router.add_route(f"{base}/verify-email", pages.show_verify, methods=["GET"])
    router.add_route(f"{base}/verify-email", pages.verify, methods=["POST"])
    return router
