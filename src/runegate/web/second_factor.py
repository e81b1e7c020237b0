"""The second sign-in step of the hosted login: after a right password, a user with TOTP
enrolled gives a code from the authenticator app (or a backup code) on a page of its own.

The page carries its own CSRF token and a sealed (HMAC, 10 minutes, organization-bound)
copy of the authorization request with the user who passed the password; no SSO session
exists before the code is accepted. Implements: RFC 6238 through `identity/mfa.py`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from runegate import audit
from runegate.crypto.sealed import seal
from runegate.identity import mfa
from runegate.oauth.endpoints.authorize import AuthorizationRequest
from runegate.storage.db import Database
from runegate.tenancy.context import TenantContext

if TYPE_CHECKING:
    from collections.abc import Awaitable

TOTP_PATH = "/t/{org}/authenticationendpoint/totp"
BAD_CODE = "The code is incorrect or was already used."


class SecondFactorStep:
    """Mixed into the sign-in endpoints (`web/routes.py`), whose helpers it uses."""

    keys: tuple[bytes, ...]
    db: Database

    if TYPE_CHECKING:  # provided by the sign-in endpoints this is mixed into

        def _form_page(
            self,
            request: Request,
            template: str,
            status: int,
            *,
            redirect_to: str | None = None,
            **ctx: Any,
        ) -> Response: ...

        def _posted(
            self, request: Request, stage: str
        ) -> Awaitable[tuple[dict[str, str], dict[str, Any], AuthorizationRequest] | Response]: ...

        def signed_in(
            self, request: Request, areq: AuthorizationRequest, user_id: str, username: str
        ) -> Awaitable[Response]: ...

    def second_factor_page(
        self,
        request: Request,
        areq: AuthorizationRequest,
        user_id: str,
        username: str,
        *,
        error: str | None = None,
    ) -> Response:
        """The second step after a right password (TOTP code or a backup code)."""
        tenant: TenantContext = request.state.tenant
        payload = {"params": dict(areq.params), "user_id": user_id, "user_name": username}
        return self._form_page(
            request,
            "totp.html",
            400 if error else 200,
            redirect_to=areq.target.redirect_uri,
            app_name=areq.client.name,
            action=TOTP_PATH.format(org=tenant.root_name),
            sealed=seal(self.keys, f"totp:{tenant.root_id}", payload),
            error=error,
        )

    async def second_factor(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        checked = await self._posted(request, "totp")
        if isinstance(checked, Response):
            return checked
        form, payload, areq = checked
        user_id, username = str(payload.get("user_id", "")), str(payload.get("user_name", ""))
        code = form.get("code", "")[:64]
        async with self.db.write() as session:
            ok = bool(code) and await mfa.verify_second_factor(
                session, tenant, self.keys, user_id, code
            )
        client_id = areq.client.record.client_id
        if not ok:
            reason = "wrong second factor"
            await audit.record_sign_in(
                self.db, tenant, client_id=client_id, user=user_id, succeeded=False, reason=reason
            )
            return self.second_factor_page(request, areq, user_id, username, error=BAD_CODE)
        return await self.signed_in(request, areq, user_id, username)
