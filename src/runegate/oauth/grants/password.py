"""The resource owner password credentials grant.

Implements: RFC 6749 §4.3 (confidential clients that list `password` in grantTypes;
§4.3.2 username and password parameters; a refresh token when the app lists the
`refresh_token` grant, oauth/refresh.py). Bad credentials, a
disabled user or one pending an invitation all answer `invalid_grant` with one generic
description (the reason goes to `detail`). API-resource scopes are requested ∩
authorized for the application ∩ granted by the user's roles; OIDC scopes are not
role-gated. With `openid` granted the answer carries an ID token (oidc/id_token.py).
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from typing import Any
from typing import ClassVar

from runegate import audit
from runegate.errors import InvalidGrant
from runegate.errors import InvalidRequest
from runegate.errors import UnauthorizedClient
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import add_refresh_token
from runegate.oauth.grants.base import token_response
from runegate.oauth.refresh import new_grant_id

SECOND_FACTOR_REQUIRED = (
    "A second factor is required for this user: sign in through the authorization endpoint."
)

# OIDC Core §5.4 (and offline_access, §11): identity scopes, not API permissions.
OIDC_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access"})


def user_scopes(
    requested: tuple[str, ...], authorized: Any, by_roles: frozenset[str]
) -> tuple[str, ...]:
    """requested ∩ authorized for the app ∩ granted by roles; OIDC scopes pass."""
    return tuple(s for s in requested if s in OIDC_SCOPES or (s in authorized and s in by_roles))


async def authenticate_audited(ctx: GrantContext, username: str, password: str) -> str:
    """The user store's check, with the attempt recorded in the audit trail."""
    tenant, client_id = ctx.request.tenant, ctx.client.record.client_id
    try:
        user_id = await ctx.users.authenticate(tenant, username, password)
    except InvalidGrant as exc:
        await audit.record_sign_in(
            ctx.db, tenant, client_id=client_id, user=username, succeeded=False, reason=exc.detail
        )
        raise
    await audit.record_sign_in(ctx.db, tenant, client_id=client_id, user=user_id, succeeded=True)
    return user_id


class PasswordGrant:
    grant_type: ClassVar[str] = "password"
    parameters: ClassVar[frozenset[str]] = frozenset({"scope", "username", "password"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        record = ctx.client.record
        if record.public_client or ctx.client.method == "none":
            # Only confidential clients may use this grant here (RFC 6749 §4.3.2, §10.7).
            raise UnauthorizedClient("Public clients cannot use the password grant.")
        username = ctx.request.params.get("username")
        password = ctx.request.params.get("password")
        if not username or not password:
            raise InvalidRequest("The username and password parameters are required.")
        store = ctx.users
        tenant = ctx.request.tenant
        user_id = await authenticate_audited(ctx, username, password)
        # A user with TOTP enrolled signs in only where the second step is asked (told
        # only to a caller that proved the password).
        if await store.needs_second_factor(tenant, user_id):
            raise InvalidGrant(SECOND_FACTOR_REQUIRED, detail="second factor enrolled")
        by_roles = await store.role_scopes(tenant, record.application_id, user_id)
        granted = user_scopes(ctx.requested_scopes, record.scopes, by_roles)
        grant_id, auth_time = new_grant_id(), datetime.now(UTC).replace(microsecond=0)
        issued = await ctx.issuer.issue(
            tenant, record, granted, subject=user_id, subject_type="user", grant_id=grant_id
        )
        body = token_response(issued)
        await add_refresh_token(
            ctx, body, user_id=user_id, scopes=granted, grant_id=grant_id, auth_time=auth_time
        )
        if "openid" in granted:  # OIDC Core §3.1.3.3, as Asgardeo answers this grant
            body["id_token"] = await ctx.id_tokens.issue(
                tenant,
                record,
                user_id=user_id,
                scopes=granted,
                access_token=issued.access_token,
                auth_time=int(auth_time.timestamp()),
                amr=["pwd"],
            )
        return body
