"""The sign-in flow behind the authorization endpoint: SSO session, login, consent,
then the authorization code.

Implements: OIDC Core §3.1.2.3 (authenticate the user; `prompt=login` and `max_age`
force it; `prompt=none` answers `login_required` / `consent_required`), §3.1.2.4
(consent, remembered per user and application unless the application skips it).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from runegate import audit
from runegate.errors import InvalidGrant
from runegate.errors import LimitExceeded
from runegate.oauth.codes import CodeGrant
from runegate.oauth.codes import CodeStore
from runegate.oauth.endpoints.authorize import AuthorizationRequest
from runegate.oauth.endpoints.authorize import ConsentRequired
from runegate.oauth.endpoints.authorize import LoginRequired
from runegate.oauth.grants.base import UserStore
from runegate.oauth.grants.password import user_scopes
from runegate.storage.db import Database
from runegate.storage.repositories.signin import ConsentRepository
from runegate.tenancy.context import TenantContext
from runegate.web.responses import respond
from runegate.web.responses import respond_error
from runegate.web.sessions import SignedIn

BAD_LOGIN = "The username or password is incorrect."


@dataclass(frozen=True, slots=True)
class Decision:
    """What to show next: None means the flow can finish with a code."""

    page: str | None  # "login" | "consent" | None
    granted: tuple[str, ...] = ()


def needs_login(areq: AuthorizationRequest, signed_in: SignedIn | None, *, fresh: bool) -> bool:
    if signed_in is None:
        return True
    if fresh:
        return False  # the user has just authenticated (or confirmed) in this flow
    if "login" in areq.prompt:
        return True
    if areq.max_age is not None:
        age = (datetime.now(UTC) - signed_in.auth_time).total_seconds()
        return age > areq.max_age
    return False


class SigninFlow:
    def __init__(self, db: Database, users: UserStore, codes: CodeStore) -> None:
        self.db = db
        self.users = users
        self.codes = codes

    async def granted_scopes(
        self, tenant: TenantContext, areq: AuthorizationRequest, user_id: str
    ) -> tuple[str, ...]:
        """requested ∩ authorized for the application ∩ the user's roles (OIDC pass)."""
        record = areq.client.record
        by_roles = await self.users.role_scopes(tenant, record.application_id, user_id)
        return user_scopes(areq.scopes, record.scopes, by_roles)

    async def decide(
        self,
        tenant: TenantContext,
        areq: AuthorizationRequest,
        signed_in: SignedIn | None,
        *,
        fresh: bool,
        consented: bool,
    ) -> Decision:
        if signed_in is None or needs_login(areq, signed_in, fresh=fresh):
            if "none" in areq.prompt:
                raise LoginRequired()
            return Decision("login")
        granted = await self.granted_scopes(tenant, areq, signed_in.user_id)
        if consented or areq.client.skip_consent:
            return Decision(None, granted)
        async with self.db.read() as session:
            known = await ConsentRepository(session, tenant=tenant).scopes_of(
                signed_in.user_id, areq.client.record.application_id
            )
        if "consent" not in areq.prompt and known is not None and set(granted) <= known:
            return Decision(None, granted)
        if "none" in areq.prompt:
            raise ConsentRequired()
        return Decision("consent", granted)

    async def remember_consent(
        self,
        tenant: TenantContext,
        areq: AuthorizationRequest,
        user_id: str,
        granted: tuple[str, ...],
    ) -> None:
        async with self.db.write() as session:
            await ConsentRepository(session, tenant=tenant).remember(
                user_id, areq.client.record.application_id, frozenset(granted)
            )

    async def check_password(
        self, tenant: TenantContext, client_id: str, username: str, password: str
    ) -> str:
        """The user store's password check (as the password grant's), with the attempt
        recorded in the audit trail (never the password); raises InvalidGrant
        (`AccountLocked` while locked), LimitExceeded (the client IP's failures) or
        PasswordChecksBusy (503) as `RoleUserStore.authenticate`."""
        try:
            if not username or not password:
                raise InvalidGrant(BAD_LOGIN)
            # The user store applies the lockout and verifies in the bounded pool.
            user_id = await self.users.authenticate(tenant, username, password)
        except (InvalidGrant, LimitExceeded) as exc:
            if username:
                await audit.record_sign_in(
                    self.db,
                    tenant,
                    client_id=client_id,
                    user=username,
                    succeeded=False,
                    reason=exc.detail,
                )
            raise
        await audit.record_sign_in(
            self.db, tenant, client_id=client_id, user=user_id, succeeded=True
        )
        return user_id

    async def issue_code(
        self,
        tenant: TenantContext,
        areq: AuthorizationRequest,
        user_id: str,
        granted: tuple[str, ...],
        *,
        auth_time: datetime,
        signed_in: SignedIn | None = None,
    ) -> str:
        """A code bound to the client, the redirect URI sent and the PKCE challenge."""
        record = areq.client.record
        grant = CodeGrant(
            user_id=user_id,
            scopes=granted,
            nonce=areq.nonce,
            auth_time=auth_time,
            sid=signed_in.sid if signed_in else None,
            grant_id=secrets.token_hex(16),
            redirect_uri=areq.target.redirect_uri if areq.redirect_uri_sent else None,
            challenge=areq.pkce,
        )
        return await self.codes.issue(
            tenant,
            record.client_id,
            record.application_id,
            grant,
            session_hash=signed_in.session_hash if signed_in else None,
        )

    async def finish(
        self,
        request: Request,
        areq: AuthorizationRequest,
        signed_in: SignedIn,
        granted: tuple[str, ...],
    ) -> Response:
        """Issue the code and send it to the client (RFC 6749 §4.1.2)."""
        code = await self.issue_code(
            request.state.tenant,
            areq,
            signed_in.user_id,
            granted,
            auth_time=signed_in.auth_time,
            signed_in=signed_in,
        )
        return respond(areq.target, {"code": code}, after_post=request.method == "POST")


__all__ = ["Decision", "SigninFlow", "respond_error"]
