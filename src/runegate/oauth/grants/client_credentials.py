"""The client credentials grant.

Implements: RFC 6749 §4.4 (confidential clients only, §4.4.2; no refresh token, §4.4.3).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar

from runegate.errors import UnauthorizedClient
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import token_response
from runegate.oauth.scopes import grant_scopes


class ClientCredentialsGrant:
    grant_type: ClassVar[str] = "client_credentials"
    parameters: ClassVar[frozenset[str]] = frozenset({"scope"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        record = ctx.client.record
        if record.public_client or ctx.client.method == "none":
            # RFC 6749 §4.4: only confidential clients may use this grant.
            raise UnauthorizedClient("Public clients cannot use the client_credentials grant.")
        granted = grant_scopes(ctx.requested_scopes, record.scopes)
        issued = await ctx.issuer.issue(
            ctx.request.tenant, record, granted, subject=record.client_id
        )
        return token_response(issued)
