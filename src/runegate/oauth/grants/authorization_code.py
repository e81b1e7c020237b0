"""The authorization code grant (token endpoint side).

Implements: RFC 6749 §4.1.3 (code, redirect_uri; the client that got the code),
§4.1.4 (access token response), RFC 7636 §4.5 (code_verifier), OIDC Core §3.1.3.3
(an ID token when `openid` was granted, with the request's nonce, auth_time and sid).
Confidential clients authenticate as at every token request; public clients name
themselves with `client_id` and prove possession with the PKCE verifier (required for
them at the authorization endpoint). Errors are one generic `invalid_grant` (reason in
`detail`). A code of an organization sign-in (`fidp=OrganizationSSO`, web/org_signin.py)
gives tokens acting in that sub-organization, while it is still active and shared with
the application; its refresh token keeps acting there (`grants/refresh_token.py`).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from runegate.errors import InvalidGrant
from runegate.errors import InvalidRequest
from runegate.oauth.codes import BAD_CODE
from runegate.oauth.codes import CodeGrant
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import add_refresh_token
from runegate.oauth.grants.base import shared_org
from runegate.oauth.grants.base import token_response
from runegate.tenancy.context import TenantContext


async def acting_tenant(ctx: GrantContext, grant: CodeGrant) -> TenantContext:
    """The organization the code's tokens act in (the root, or the signed-in sub-org)."""
    if grant.acting_org_id is None:
        return ctx.request.tenant
    found = await shared_org(ctx, grant.acting_org_id)
    if found is None:
        raise InvalidGrant(BAD_CODE, detail="organization gone, disabled or no longer shared")
    return found[0]


class AuthorizationCodeGrant:
    grant_type: ClassVar[str] = "authorization_code"
    parameters: ClassVar[frozenset[str]] = frozenset({"code", "redirect_uri", "code_verifier"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        code = ctx.request.params.get("code")
        if not code:
            raise InvalidRequest("The code parameter is missing.")
        record = ctx.client.record
        tenant = ctx.request.tenant
        grant = await ctx.services.codes.redeem(
            tenant,
            code,
            client_id=record.client_id,
            redirect_uri=ctx.request.params.get("redirect_uri"),
            verifier=ctx.request.params.get("code_verifier"),
        )
        tenant = await acting_tenant(ctx, grant)
        issued = await ctx.issuer.issue(
            tenant,
            record,
            grant.scopes,
            subject=grant.user_id,
            subject_type="user",
            grant_id=grant.grant_id,
            sid=grant.sid,
        )
        body = token_response(issued)
        await add_refresh_token(
            ctx,
            body,
            user_id=grant.user_id,
            scopes=grant.scopes,
            grant_id=grant.grant_id,
            auth_time=grant.auth_time,
            sid=grant.sid,
            acting=tenant,
        )
        if "openid" in grant.scopes:
            body["id_token"] = await ctx.id_tokens.issue(
                tenant,
                record,
                user_id=grant.user_id,
                scopes=grant.scopes,
                access_token=issued.access_token,
                nonce=grant.nonce,
                auth_time=int(grant.auth_time.timestamp()),
                sid=grant.sid,
                amr=["pwd"],
            )
        return body
