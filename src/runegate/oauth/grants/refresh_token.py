"""The refresh token grant.

Implements: RFC 6749 §6 (`refresh_token`, optional `scope` that can only narrow the
original grant, else `invalid_scope`; the client must be the one the token was issued
to), §10.4 (rotation and reuse detection, oauth/refresh.py), OIDC Core §12.2 (an ID
token again when `openid` is in the granted scopes, with the original `auth_time`).
A disabled, deleted or pending user, a deleted or disabled application or a regenerated
client secret answer the generic `invalid_grant`. A refresh token acting in a
sub-organization (`fidp=OrganizationSSO` sign-in, organization switch) gives tokens
acting there again, while the organization is active and shares the application and
the user still has access to it; their scopes are those of the original grant (or the
narrower `scope`) ∩ authorized for the application ∩ the user's roles there now.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from runegate.errors import InvalidRequest
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import shared_org
from runegate.oauth.grants.base import token_response
from runegate.oauth.grants.password import user_scopes
from runegate.oauth.refresh import ActingOrg
from runegate.oauth.refresh import ActingOrgCheck
from runegate.oauth.verifier import StoredToken
from runegate.tenancy.context import TenantContext


def acting_org_check(ctx: GrantContext) -> ActingOrgCheck:
    """Admits a token acting in a sub-organization while the organization is active and
    shared with the application and the user may act there (their scopes there now)."""

    async def check(tenant: TenantContext, token: StoredToken) -> ActingOrg | None:
        orgs = ctx.services.orgs
        found = await shared_org(ctx, token.acting_org_id) if token.acting_org_id else None
        if orgs is None or found is None:
            return None
        held = await orgs.user_scopes(tenant, token.subject, found[1])
        return None if held is None else (found[0], held)

    return check


class RefreshTokenGrant:
    grant_type: ClassVar[str] = "refresh_token"
    parameters: ClassVar[frozenset[str]] = frozenset({"refresh_token", "scope"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        raw = ctx.request.params.get("refresh_token")
        if not raw:
            raise InvalidRequest("The refresh_token parameter is missing.")
        record = ctx.client.record
        # RFC 6749 §6: requested scopes may only narrow the grant (checked in redeem).
        grant = await ctx.services.refresh.redeem(
            ctx.request.tenant, record, raw, ctx.requested_scopes, acting_org_check(ctx)
        )
        tenant = grant.tenant
        scopes = ctx.requested_scopes or grant.scopes
        if grant.held is not None:  # a sub-organization's rules, as when it was issued
            scopes = user_scopes(scopes, record.scopes, grant.held)
        issued = await ctx.issuer.issue(
            tenant,
            record,
            scopes,
            subject=grant.user_id,
            subject_type="user",
            grant_id=grant.grant_id,
            sid=grant.sid,
        )
        body = token_response(issued)
        body["refresh_token"] = grant.refresh_token
        if "openid" in scopes:
            auth_time = grant.auth_time
            body["id_token"] = await ctx.id_tokens.issue(
                tenant,
                record,
                user_id=grant.user_id,
                scopes=scopes,
                access_token=issued.access_token,
                auth_time=int(auth_time.timestamp()) if auth_time else None,
                sid=grant.sid,
            )
        return body
