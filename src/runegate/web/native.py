"""HTTP glue for app-native authentication: `POST /t/{org}/oauth2/authorize` with
`response_mode=direct` starts a flow (JSON), `POST /t/{org}/oauth2/authn` completes it.

The authorization request goes through the same checks as the browser flow (client,
redirect URI, response type, scope, PKCE); the password through the same check as the
hosted login page. Success gives an ordinary authorization code (RFC 6749 §4.1.2) bound
to the client, the redirect URI and the PKCE challenge. Errors are Asgardeo's
`{"code": "ABA-…", "message", "description", "traceId"}`; no code is issued then.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response

from runegate import audit
from runegate.errors import InvalidGrant
from runegate.errors import LimitExceeded
from runegate.errors import OAuthError
from runegate.errors import ServiceUnavailable
from runegate.http.errors import render
from runegate.identity import mfa
from runegate.oauth.authn_flows import FlowStore
from runegate.oauth.authn_flows import OpenFlow
from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.endpoints.authn import AuthnError
from runegate.oauth.endpoints.authn import AuthnRequest
from runegate.oauth.endpoints.authn import InvalidAuthnRequest
from runegate.oauth.endpoints.authn import NativeAuthDisabled
from runegate.oauth.endpoints.authn import credentials
from runegate.oauth.endpoints.authn import flow_response
from runegate.oauth.endpoints.authn import parse_authn
from runegate.oauth.endpoints.authn import success_response
from runegate.oauth.endpoints.authn import totp_token
from runegate.oauth.endpoints.authorize import AuthorizationRequest
from runegate.oauth.endpoints.authorize import PageError
from runegate.oauth.endpoints.authorize import RedirectError
from runegate.oauth.endpoints.authorize import SigninClient
from runegate.oauth.endpoints.authorize import validate
from runegate.oauth.request import OAuthRequest
from runegate.storage.db import Database
from runegate.tenancy.context import TenantContext
from runegate.web.clients import ApplicationClients
from runegate.web.flow import SigninFlow
from runegate.web.org_signin import wants_organization
from runegate.web.responses import NO_STORE

AUTHN_PATH = "/t/{org}/oauth2/authn"
# Not part of the stored authorization request: the mode itself and client credentials.
NOT_KEPT = frozenset({"response_mode", "client_secret"})
JSON_TYPES = ("application/json", "text/json")


def answer(body: dict[str, Any]) -> Response:
    return JSONResponse(body, headers=NO_STORE)


def authn_url(tenant: TenantContext) -> str:
    return f"{tenant.base_url}{AUTHN_PATH.format(org=tenant.root_name)}"


# Never a silent sign-in at the root instead (web/org_signin.py).
ORG_NATIVE = "Sign-in to an organization (fidp=OrganizationSSO) is served by the login page only."


def is_direct(params: Mapping[str, str]) -> bool:
    return params.get("response_mode") == "direct"


class NativeSignin:
    def __init__(
        self,
        db: Database,
        keys: tuple[bytes, ...],
        clients: ApplicationClients,
        flow: SigninFlow,
        authenticator: ClientAuthenticator,
    ) -> None:
        self.clients = clients
        self.flow = flow
        self.authenticator = authenticator
        self.flows = FlowStore(db, keys)
        self.db = db
        self.keys = keys

    async def start(self, request: Request, params: Mapping[str, str]) -> Response:
        """The first step of a direct authorization request (`flowStatus` INCOMPLETE)."""
        try:
            return answer(await self._start(request, params))
        except AuthnError as exc:
            return render("management", exc)

    async def authn(self, request: Request) -> Response:
        """One `/oauth2/authn` step: the code on success, the same step on a wrong password
        or a locked account; 429 (the client IP's failures) or 503 (password checks busy)
        with `Retry-After`."""
        try:
            return answer(await self._authn(request))
        except (AuthnError, LimitExceeded, ServiceUnavailable) as exc:
            return render("management", exc)

    async def _start(self, request: Request, params: Mapping[str, str]) -> dict[str, Any]:
        tenant: TenantContext = request.state.tenant
        if wants_organization(params):
            raise InvalidAuthnRequest(ORG_NATIVE)
        kept = {name: value for name, value in params.items() if name not in NOT_KEPT}
        areq = await self._validated(tenant, kept)
        await self._check_client(request, params, areq.client)
        flow_id = await self.flows.start(tenant, areq.client.record.client_id, kept)
        return flow_response(flow_id, authn_url(tenant))

    async def _authn(self, request: Request) -> dict[str, Any]:
        tenant: TenantContext = request.state.tenant
        media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if media not in JSON_TYPES:
            raise InvalidAuthnRequest("The request body must be application/json.")
        req = parse_authn(await request.body())
        flow = await self.flows.find(tenant, req.flow_id)
        if flow.user_id is not None:  # the password passed: the TOTP step
            return await self._second_factor(request, req, flow)
        username, password = credentials(req)
        # The client may have been disabled, or its callback URLs changed, meanwhile.
        areq = await self._validated(tenant, flow.params)
        try:
            user_id = await self.flow.check_password(
                tenant, areq.client.record.client_id, username, password
            )
        except InvalidGrant:
            return flow_response(req.flow_id, authn_url(tenant), failed=True)
        if await self.flow.users.needs_second_factor(tenant, user_id):
            await self.flows.await_second_factor(tenant, flow, user_id)
            return flow_response(req.flow_id, authn_url(tenant), totp=True)
        return await self._finish(tenant, flow, areq, user_id)

    async def _second_factor(
        self, request: Request, req: AuthnRequest, flow: OpenFlow
    ) -> dict[str, Any]:
        """A TOTP code (or a backup code) of the user who passed the password step."""
        tenant: TenantContext = request.state.tenant
        token = totp_token(req)
        areq = await self._validated(tenant, flow.params)
        assert flow.user_id is not None
        async with self.db.write() as session:
            ok = await mfa.verify_second_factor(session, tenant, self.keys, flow.user_id, token)
        if not ok:
            await audit.record_sign_in(
                self.db,
                tenant,
                client_id=areq.client.record.client_id,
                user=flow.user_id,
                succeeded=False,
                reason="wrong second factor",
            )
            return flow_response(req.flow_id, authn_url(tenant), failed=True, totp=True)
        return await self._finish(tenant, flow, areq, flow.user_id)

    async def _finish(
        self, tenant: TenantContext, flow: OpenFlow, areq: AuthorizationRequest, user_id: str
    ) -> dict[str, Any]:
        """Every step passed: the flow ends (once) with an authorization code."""
        await self.flows.complete(tenant, flow)
        granted = await self.flow.granted_scopes(tenant, areq, user_id)
        now = datetime.now(UTC).replace(microsecond=0)
        code = await self.flow.issue_code(tenant, areq, user_id, granted, auth_time=now)
        return success_response(code, areq.target.state)

    async def _validated(
        self, tenant: TenantContext, params: Mapping[str, str]
    ) -> AuthorizationRequest:
        """The browser flow's checks; their errors as ABA-60001 (`<error> - <text>`)."""
        try:
            areq = await validate(tenant, params, self.clients)
        except PageError as exc:
            raise InvalidAuthnRequest(f"invalid_request - {exc.description}") from None
        except RedirectError as exc:
            description = f"{exc.error.error} - {exc.error.description}"
            raise InvalidAuthnRequest(description) from None
        if not areq.client.api_based_auth:
            raise NativeAuthDisabled(detail=f"client {areq.client.record.client_id}")
        return areq

    async def _check_client(
        self, request: Request, params: Mapping[str, str], client: SigninClient
    ) -> None:
        """Credentials sent with the request (Asgardeo's Python SDK sends the secret)
        must be right (RFC 6749 §2.3.1); none are required."""
        header = request.headers.get("authorization")
        if "client_secret" not in params and header is None:
            return
        sent = {k: v for k, v in params.items() if k in ("client_id", "client_secret")}
        req = OAuthRequest(tenant=request.state.tenant, params=sent, authorization=header)
        try:
            authenticated = await self.authenticator.authenticate(req)
        except OAuthError as exc:
            raise InvalidAuthnRequest(f"{exc.error} - {exc.description}") from None
        if authenticated.record.client_id != client.record.client_id:
            raise InvalidAuthnRequest("invalid_client - The credentials are of another client.")
