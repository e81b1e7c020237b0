"""The refresh token grant.

Implements: RFC 6749 §6 (`refresh_token`, optional `scope` that can only narrow the
original grant, else `invalid_scope`; the client must be the one the token was issued
to), §10.4 (rotation and reuse detection, oauth/refresh.py), OIDC Core §12.2 (an ID
token again when `openid` is in the granted scopes, with the original `auth_time`).
A disabled, deleted or pending user, a deleted or disabled application or a regenerated
client secret answer the generic `invalid_grant`.
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from runegate.errors import InvalidRequest
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import token_response


class RefreshTokenGrant:
    grant_type: ClassVar[str] = "refresh_token"
    parameters: ClassVar[frozenset[str]] = frozenset({"refresh_token", "scope"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        raw = ctx.request.params.get("refresh_token")
        if not raw:
            raise InvalidRequest("The refresh_token parameter is missing.")
        record = ctx.client.record
        tenant = ctx.request.tenant
        # RFC 6749 §6: requested scopes may only narrow the grant (checked in redeem).
        grant = await ctx.services.refresh.redeem(tenant, record, raw, ctx.requested_scopes)
        scopes = ctx.requested_scopes or grant.scopes
        issued = await ctx.issuer.issue(
            tenant,
            record,
            scopes,
            subject=grant.user_id,
            subject_type="user",
            grant_id=grant.grant_id,
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
