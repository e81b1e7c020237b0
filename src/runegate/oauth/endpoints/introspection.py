"""The introspection endpoint.

Implements: RFC 7662 §2.1 (request: `token`, optional `token_type_hint`; the caller must
authenticate), §2.2 (response: `{"active": false}` only, for expired, revoked, unknown
or foreign-organization tokens). A token acting in a sub-organization carries its
`org_id`, as its JWT form does.
"""

from __future__ import annotations

from typing import Any

from runegate.errors import InvalidRequest
from runegate.errors import InvalidToken
from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.request import OAuthRequest
from runegate.oauth.verifier import TokenLookup
from runegate.oauth.verifier import check_row
from runegate.oauth.verifier import utc_timestamp


async def introspect(
    req: OAuthRequest, authenticator: ClientAuthenticator, lookup: TokenLookup
) -> dict[str, Any]:
    await authenticator.authenticate(req)
    raw = req.params.get("token")
    if raw is None:
        raise InvalidRequest("The token parameter is missing.")
    row = await lookup.find(req.tenant, raw)
    try:
        token = check_row(row, req.tenant, kinds=("access", "refresh"))
    except InvalidToken:
        return {"active": False}
    audience = token.audience.split()
    body: dict[str, Any] = {"active": True}
    if token.scope:
        body["scope"] = token.scope
    body.update(
        {
            "client_id": token.client_id,
            "token_type": "Bearer" if token.kind == "access" else "Refresh",
            "exp": utc_timestamp(token.expires_at),
            "iat": utc_timestamp(token.issued_at),
            "nbf": utc_timestamp(token.issued_at),
            "sub": token.subject,
            "aud": audience[0] if len(audience) == 1 else audience,
            "iss": req.tenant.issuer,
            "jti": token.jti,
        }
    )
    if token.acting_org_id is not None:
        # A token acting in a sub-organization (switch, organization sign-in) names it.
        body["org_id"] = token.acting_org_id
    return body
