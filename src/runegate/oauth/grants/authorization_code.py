"""The authorization code grant (token endpoint side).

Implements: RFC 6749 §4.1.3 (code, redirect_uri; the client that got the code),
§4.1.4 (access token response), RFC 7636 §4.5 (code_verifier). Confidential clients
authenticate as at every token request; public clients name themselves with
`client_id` and prove possession with the PKCE verifier (required for them at the
authorization endpoint). Errors are one generic `invalid_grant` (reason in `detail`).
"""

from __future__ import annotations

from typing import Any
from typing import ClassVar
from weakref import WeakKeyDictionary

from runegate.errors import InvalidRequest
from runegate.errors import ServerError
from runegate.oauth.codes import CodeGrant
from runegate.oauth.codes import CodeStore
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import token_response
from runegate.oauth.tokens import TokenIssuer

# The code store of each app instance, keyed by its token issuer (attached at mount time).
_CODES: WeakKeyDictionary[TokenIssuer, CodeStore] = WeakKeyDictionary()


def attach_code_store(issuer: TokenIssuer, store: CodeStore) -> None:
    _CODES[issuer] = store


class AuthorizationCodeGrant:
    grant_type: ClassVar[str] = "authorization_code"
    parameters: ClassVar[frozenset[str]] = frozenset({"code", "redirect_uri", "code_verifier"})

    async def handle(self, ctx: GrantContext) -> dict[str, Any]:
        code = ctx.request.params.get("code")
        if not code:
            raise InvalidRequest("The code parameter is missing.")
        store = _CODES.get(ctx.issuer)
        if store is None:
            raise ServerError("The authorization code grant is not available.")
        record = ctx.client.record
        grant: CodeGrant = await store.redeem(
            ctx.request.tenant,
            code,
            client_id=record.client_id,
            redirect_uri=ctx.request.params.get("redirect_uri"),
            verifier=ctx.request.params.get("code_verifier"),
        )
        issued = await ctx.issuer.issue(
            ctx.request.tenant,
            record,
            grant.scopes,
            subject=grant.user_id,
            subject_type="user",
            grant_id=grant.grant_id,
        )
        return token_response(issued)
