"""What every grant gets and returns (STYLE §4: a class per grant, an explicit registry).

A grant reaches everything it needs through its `GrantContext`: the request, the
authenticated client, the requested scopes, and the app's `GrantServices` (token issuer,
user store, database, ID tokens), built once per app instance by `oauth/service.py`. No globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from typing import ClassVar
from typing import Protocol

from runegate.http.auth import TokenVerifier
from runegate.oauth.client_auth import AuthenticatedClient
from runegate.oauth.codes import CodeStore
from runegate.oauth.refresh import RefreshTokens
from runegate.oauth.request import OAuthRequest
from runegate.oauth.tokens import IssuedAccessToken
from runegate.oauth.tokens import TokenIssuer
from runegate.oidc.id_token import IdTokens
from runegate.roles.org_access import OrgFacts
from runegate.storage.db import Database
from runegate.tenancy.context import TenantContext


class OrganizationStore(Protocol):
    """Sub-organizations for the organization switch grant (`roles/org_access.py`)."""

    async def find(self, tenant: TenantContext, org_id: str) -> OrgFacts | None: ...

    async def find_by_name(self, tenant: TenantContext, name: str) -> OrgFacts | None: ...

    async def is_shared(
        self, tenant: TenantContext, application_id: str, org: OrgFacts
    ) -> bool: ...

    async def user_scopes(
        self, tenant: TenantContext, user_id: str, org: OrgFacts
    ) -> frozenset[str] | None: ...


class UserStore(Protocol):
    """What grants need from the user directory and the roles (see `roles/store.py`)."""

    async def authenticate(self, tenant: TenantContext, username: str, password: str) -> str:
        """The user's id, or raise `InvalidGrant` (RFC 6749 §5.2)."""
        ...

    async def role_scopes(
        self, tenant: TenantContext, application_id: str, user_id: str
    ) -> frozenset[str]: ...

    async def needs_second_factor(self, tenant: TenantContext, user_id: str) -> bool:
        """True when the user enrolled a second factor (TOTP) that sign-in must ask."""
        ...


@dataclass(frozen=True, slots=True)
class GrantServices:
    """The app instance's services a grant may use (one object per app)."""

    issuer: TokenIssuer
    users: UserStore
    db: Database
    id_tokens: IdTokens  # OIDC ID tokens and user claims (oidc/id_token.py)
    codes: CodeStore  # authorization codes (oauth/codes.py)
    refresh: RefreshTokens  # refresh tokens, rotation and reuse detection (oauth/refresh.py)
    # The organization switch: sub-organizations (roles/org_access.py) and the verifier
    # of the presented access token (oauth/verifier.py).
    orgs: OrganizationStore | None = None
    verifier: TokenVerifier | None = None


@dataclass(frozen=True, slots=True)
class GrantContext:
    request: OAuthRequest
    client: AuthenticatedClient
    requested_scopes: tuple[str, ...]
    services: GrantServices

    @property
    def issuer(self) -> TokenIssuer:
        return self.services.issuer

    @property
    def users(self) -> UserStore:
        return self.services.users

    @property
    def db(self) -> Database:
        return self.services.db

    @property
    def id_tokens(self) -> IdTokens:
        return self.services.id_tokens


class Grant(Protocol):
    grant_type: ClassVar[str]
    parameters: ClassVar[frozenset[str]]

    async def handle(self, ctx: GrantContext) -> dict[str, Any]: ...


def token_response(issued: IssuedAccessToken) -> dict[str, Any]:
    """RFC 6749 §5.1; `scope` only when scopes were granted (CONTRACT §4.3, §4.7)."""
    body: dict[str, Any] = {"access_token": issued.access_token}
    if issued.scopes:
        body["scope"] = " ".join(issued.scopes)
    body["token_type"] = "Bearer"
    body["expires_in"] = issued.expires_in
    return body


async def shared_org(ctx: GrantContext, org_id: str) -> tuple[TenantContext, OrgFacts] | None:
    """The sub-organization `org_id` as a context to act in, while it is active and the
    client's application is shared with it; None otherwise."""
    tenant, orgs = ctx.request.tenant, ctx.services.orgs
    org = await orgs.find(tenant, org_id) if orgs is not None else None
    if orgs is None or org is None or not org.active:
        return None
    if not await orgs.is_shared(tenant, ctx.client.record.application_id, org):
        return None
    return tenant.for_org(org.id, org.name), org


async def add_refresh_token(
    ctx: GrantContext,
    body: dict[str, Any],
    *,
    user_id: str,
    scopes: tuple[str, ...],
    grant_id: str,
    auth_time: datetime | None = None,
    sid: str | None = None,
    acting: TenantContext | None = None,
) -> None:
    """RFC 6749 §5.1: a refresh token beside a user's access token when the application
    lists the `refresh_token` grant (as Asgardeo: `offline_access` is not required).
    `acting`: the sub-organization the tokens act in (a sign-in through a shared
    application, an organization switch); its refresh token is redeemed at the root's
    token endpoint and keeps acting there (`grants/refresh_token.py`)."""
    record = ctx.client.record
    # Not at a sub-organization's own token endpoint (`/o/{org}/oauth2/token`), which
    # serves the password grant only.
    if "refresh_token" in record.grant_types and not ctx.request.tenant.switched:
        body["refresh_token"] = await ctx.services.refresh.issue(
            acting or ctx.request.tenant,
            record,
            user_id=user_id,
            scopes=scopes,
            grant_id=grant_id,
            auth_time=auth_time,
            sid=sid,
        )
