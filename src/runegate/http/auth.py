"""Resource protection for every management, SCIM and end-user route, done once here.

Implements: RFC 6750 §2.1 (Authorization: Bearer) and §3 (WWW-Authenticate challenges).
A route declares the `internal_*` scope of its operation:

    access: Annotated[Access, Depends(require_scopes("internal_application_mgt_view"))]

No token: 401 with `WWW-Authenticate: Bearer`. A bad, expired or foreign token: 401 with
`error="invalid_token"`. A valid token without the scope: 403 with
`error="insufficient_scope"`. Bodies are rendered in the surface's error format.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from starlette.requests import Request

from runegate import errors
from runegate.audit.context import set_caller
from runegate.http.errors import surface_for_path
from runegate.tenancy.context import TenantContext


@dataclass(frozen=True, slots=True)
class AccessToken:
    """What a verified access token says."""

    jti: str
    client_id: str
    application_id: str
    subject: str
    subject_type: str  # "application" (client_credentials) or "user"
    scopes: frozenset[str]
    org_id: str  # the organization the token acts in (a sub-organization when switched)
    root_id: str
    audience: tuple[str, ...]
    expires_at: datetime
    user_id: str | None = None


@dataclass(frozen=True, slots=True)
class Access:
    """The request's verified caller: the tenant it acts in, and its token."""

    tenant: TenantContext
    token: AccessToken


class TokenVerifier(Protocol):
    async def verify(self, tenant: TenantContext, raw_token: str) -> AccessToken:
        """Return the token's facts or raise `errors.InvalidToken`."""
        ...


def challenge(error: str | None = None, description: str | None = None, scope: str = "") -> str:
    parts = ['Bearer realm="runegate"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return ", ".join(parts)


def bearer_token(request: Request) -> str:
    """RFC 6750 §2.1: the token from the Authorization header (the only method accepted)."""
    header = request.headers.get("authorization")
    if not header:
        raise errors.MissingToken(headers={"WWW-Authenticate": challenge()})
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise errors.InvalidToken(
            "The Authorization header must be 'Bearer <token>'.",
            headers={"WWW-Authenticate": challenge("invalid_request")},
            status=401,
        )
    return token


def is_org_path(request: Request) -> bool:
    """A `/t/{root}/o/...` request (routed by `TenantMiddleware`)."""
    return bool(getattr(request.state, "org_path", False))


def org_scope(scope: str) -> str:
    """The organization-API form of a root scope: `internal_x` -> `internal_org_x`."""
    if scope.startswith("internal_"):
        return scope.replace("internal_", "internal_org_", 1)
    return scope


async def authenticate(request: Request) -> Access:
    """Verify the bearer token against the request's root organization."""
    return await verify_token(request, bearer_token(request))


async def verify_token(request: Request, raw: str) -> Access:
    """Verify `raw` (however the request carried it) against the request's organization."""
    tenant: TenantContext = request.state.tenant
    verifier: TokenVerifier = request.app.state.runegate.token_verifier
    try:
        token = await verifier.verify(tenant, raw)
    except errors.InvalidToken as exc:
        exc.headers.setdefault("WWW-Authenticate", challenge("invalid_token", exc.description))
        raise
    switched = token.org_id != tenant.root_id
    if switched != is_org_path(request):
        # `/t/{root}/o/...` needs an organization-switched token, and vice versa: 403,
        # the token is valid but not for this API (issue 11).
        raise errors.InsufficientScope(
            "The access token is not valid for this organization API.",
            headers={"WWW-Authenticate": challenge("insufficient_scope")},
        )
    if token.subject_type == "user":
        set_caller(token.user_id or token.subject, "user")
    else:
        set_caller(token.client_id, "application")
    limit_client(request, tenant, token)
    return Access(tenant=tenant.for_org(token.org_id), token=token)


def limit_client(request: Request, tenant: TenantContext, token: AccessToken) -> None:
    """SCIM's per-client rate limit, once the client is known (429 + Retry-After)."""
    limiter = request.app.state.runegate.limiter
    if limiter is not None and surface_for_path(request.url.path) == "scim":
        limiter.enforce("scim", "client", tenant.root_name, token.client_id, tenant.rate_limits)


def require_scopes(*scopes: str, any_of: bool = False) -> Callable[[Request], Awaitable[Access]]:
    """A dependency: a valid token carrying all (or, with any_of, one) of `scopes`."""
    root_scopes = frozenset(scopes)
    org_scopes = frozenset(org_scope(s) for s in scopes)

    async def dependency(request: Request) -> Access:
        access = await authenticate(request)
        # Under `/o/` the organization APIs ask for `internal_org_*` (catalog §3).
        required = org_scopes if is_org_path(request) else root_scopes
        held = access.token.scopes
        ok = bool(required & held) if any_of else required <= held
        if required and not ok:
            wanted = " ".join(sorted(required))
            raise errors.InsufficientScope(
                f"The operation requires the scope {wanted}.",
                headers={"WWW-Authenticate": challenge("insufficient_scope", scope=wanted)},
            )
        return access

    return dependency


class RejectAllVerifier:
    """The verifier before the token service is wired in: every token is invalid."""

    async def verify(self, tenant: TenantContext, raw_token: str) -> AccessToken:
        raise errors.InvalidToken()
