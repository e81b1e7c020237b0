"""Console sign-in: Runegate's own authorization code flow with PKCE, administrators only.

The Console is the organization's `CONSOLE` system application (tenancy/console_app.py).
Opening any Console page without a Console session redirects to the authorization
endpoint (RFC 6749 §4.1.1, RFC 7636 §4.3 S256 challenge); the callback checks `state`,
exchanges the code in-process through the token endpoint's engine (RFC 6749 §4.1.3,
the verifier checked as RFC 7636 §4.6 says) and admits the user when the scopes granted
through the Console (their roles) include every scope the Console uses. The Console
session is a sealed cookie bound to the SSO session: signing out there ends it too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.audit.context import set_caller
from runegate.crypto.sealed import seal
from runegate.crypto.sealed import unseal
from runegate.errors import IdpError
from runegate.oauth.endpoints.token import token
from runegate.oauth.request import OAuthRequest
from runegate.oauth.service import server_of
from runegate.state import AppState
from runegate.tenancy.console_app import CONSOLE_CLIENT_ID
from runegate.tenancy.console_app import console_callback
from runegate.tenancy.context import TenantContext
from runegate.web.pages import render_page
from runegate.web.sessions import SESSION_COOKIE
from runegate.web.sessions import SESSION_LIFETIME
from runegate.web.sessions import SessionStore

CONSOLE_COOKIE = "runegate_console"
AUTH_COOKIE = "runegate_console_auth"
AUTH_LIFETIME = 600
# Every scope the Console's pages act with: a user's roles must grant all of them.
CONSOLE_SCOPES = (
    "internal_application_mgt_view",
    "internal_application_mgt_create",
    "internal_application_mgt_update",
    "internal_application_mgt_delete",
    "internal_api_resource_view",
    "internal_api_resource_create",
    "internal_api_resource_update",
    "internal_api_resource_delete",
    "internal_user_mgt_list",
    "internal_user_mgt_view",
    "internal_user_mgt_create",
    "internal_user_mgt_update",
    "internal_user_mgt_delete",
    "internal_group_mgt_view",
    "internal_group_mgt_create",
    "internal_group_mgt_update",
    "internal_group_mgt_delete",
    "internal_role_mgt_view",
    "internal_role_mgt_create",
    "internal_role_mgt_update",
    "internal_role_mgt_delete",
    "internal_organization_view",
    "internal_organization_create",
    "internal_organization_delete",
)
NOT_ADMIN = (
    "You are signed in as {user}, but the Console of {org} is for administrators only. "
    "Ask an administrator to give you the Administrator role."
)


@dataclass(frozen=True, slots=True)
class ConsoleAdmin:
    user_id: str
    user_name: str


def console_path(tenant: TenantContext, rest: str = "") -> str:
    return f"/t/{tenant.root_name}/console{rest}"


def cookie_settings(tenant: TenantContext, max_age: int) -> dict[str, Any]:
    return {
        "path": console_path(tenant),
        "max_age": max_age,
        "httponly": True,
        "samesite": "lax",
        "secure": tenant.base_url.startswith("https://"),
    }


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def safe_next(tenant: TenantContext, value: object) -> str:
    """Only a Console path may be returned to after sign-in (no open redirect)."""
    home = console_path(tenant)
    text = value if isinstance(value, str) else ""
    if text == home or (text.startswith(f"{home}/") and "//" not in text and "\\" not in text):
        return text
    return f"{home}/applications"


def message_page(tenant: TenantContext, message: str, status: int) -> Response:
    return render_page(
        "console/message.html",
        status=status,
        org_name=tenant.root_name,
        message=message,
        home=console_path(tenant),
    )


class ConsoleAuth:
    def __init__(self, state: AppState) -> None:
        self.server = server_of(state)
        self.keys = state.settings.secret_keys
        self.sessions = SessionStore(state.db, self.keys)

    def start(self, request: Request) -> Response:
        """Redirect to the authorization endpoint; remember state, verifier and page."""
        tenant: TenantContext = request.state.tenant
        verifier, nonce_state = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
        back = request.url.path if request.method == "GET" else None
        payload = {"state": nonce_state, "verifier": verifier, "next": back}
        params = {
            "response_type": "code",
            "client_id": CONSOLE_CLIENT_ID,
            "redirect_uri": console_callback(tenant),
            "scope": " ".join(("openid", *CONSOLE_SCOPES)),
            "state": nonce_state,
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
        }
        response = RedirectResponse(
            f"/t/{tenant.root_name}/oauth2/authorize?{urlencode(params)}", status_code=303
        )
        sealed = seal(self.keys, f"console-auth:{tenant.root_id}", payload, AUTH_LIFETIME)
        response.set_cookie(AUTH_COOKIE, sealed, **cookie_settings(tenant, AUTH_LIFETIME))
        return response

    async def callback(self, request: Request) -> Response:
        tenant: TenantContext = request.state.tenant
        purpose = f"console-auth:{tenant.root_id}"
        payload = unseal(self.keys, purpose, request.cookies.get(AUTH_COOKIE))
        returned = request.query_params.get("state", "")
        expected = str(payload.get("state", "")) if payload else ""
        if not expected or not hmac.compare_digest(expected.encode(), returned.encode()):
            return message_page(tenant, "This sign-in has expired. Open the Console again.", 400)
        assert payload is not None
        if request.query_params.get("error"):
            reason = request.query_params.get("error_description") or "the sign-in was refused"
            return message_page(tenant, f"Sign-in was not completed: {reason[:200]}", 403)
        try:
            user_id, scopes = await self._exchange(tenant, request, str(payload["verifier"]))
        except IdpError:
            return message_page(tenant, "Sign-in failed. Open the Console again.", 400)
        signed_in = await self.sessions.find(tenant, request.cookies.get(SESSION_COOKIE))
        if signed_in is None or signed_in.user_id != user_id:
            return message_page(tenant, "Sign-in failed. Open the Console again.", 400)
        if not set(CONSOLE_SCOPES) <= scopes:
            text = NOT_ADMIN.format(user=signed_in.user_name, org=tenant.root_name)
            return message_page(tenant, text, 403)
        response = RedirectResponse(safe_next(tenant, payload.get("next")), status_code=303)
        session = seal(
            self.keys,
            f"console:{tenant.root_id}",
            {"uid": user_id, "sid": signed_in.sid},
            int(SESSION_LIFETIME.total_seconds()),
        )
        lifetime = int(SESSION_LIFETIME.total_seconds())
        response.set_cookie(CONSOLE_COOKIE, session, **cookie_settings(tenant, lifetime))
        response.delete_cookie(AUTH_COOKIE, path=console_path(tenant))
        return response

    async def _exchange(
        self, tenant: TenantContext, request: Request, verifier: str
    ) -> tuple[str, frozenset[str]]:
        """The token endpoint's own engine, called in-process (no HTTP to itself)."""
        params = {
            "grant_type": "authorization_code",
            "code": request.query_params.get("code", ""),
            "redirect_uri": console_callback(tenant),
            "code_verifier": verifier,
            "client_id": CONSOLE_CLIENT_ID,
        }
        body = await token(
            OAuthRequest(tenant, {k: v for k, v in params.items() if v}),
            self.server.authenticator,
            self.server.grants,
        )
        access = await self.server.verifier.verify(tenant, str(body["access_token"]))
        return access.user_id or access.subject, access.scopes

    async def current(self, request: Request) -> ConsoleAdmin | Response:
        """The signed-in administrator, or the response that signs in or refuses."""
        tenant: TenantContext = request.state.tenant
        payload = unseal(
            self.keys, f"console:{tenant.root_id}", request.cookies.get(CONSOLE_COOKIE)
        )
        if payload is None:
            return self.start(request)
        signed_in = await self.sessions.find(tenant, request.cookies.get(SESSION_COOKIE))
        if signed_in is None or signed_in.sid != payload.get("sid"):
            return self.start(request)
        if signed_in.user_id != payload.get("uid"):
            return self.start(request)
        record = await self.server.clients.by_client_id(tenant.org_id, CONSOLE_CLIENT_ID)
        scopes: frozenset[str] = frozenset()
        if record is not None:
            users = self.server.grants.users
            scopes = await users.role_scopes(tenant, record.application_id, signed_in.user_id)
        if not set(CONSOLE_SCOPES) <= scopes:
            text = NOT_ADMIN.format(user=signed_in.user_name, org=tenant.root_name)
            return message_page(tenant, text, 403)
        set_caller(signed_in.user_id, "user")  # the audit trail names the administrator
        return ConsoleAdmin(signed_in.user_id, signed_in.user_name)

    async def sign_out(self, request: Request) -> Response:
        """End the Console session and the SSO session behind it."""
        tenant: TenantContext = request.state.tenant
        await self.sessions.end(tenant, request.cookies.get(SESSION_COOKIE))
        response = message_page(tenant, "You have signed out of the Console.", 200)
        response.delete_cookie(CONSOLE_COOKIE, path=console_path(tenant))
        response.delete_cookie(SESSION_COOKIE, path=f"/t/{tenant.root_name}/")
        return response
