"""The UserInfo endpoint: the signed-in user's claims for a user access token.

Implements: OIDC Core §5.3 (GET and POST, bearer access token; §5.3.2 `sub` always,
then the claims the application requested that the token's scopes cover, as in the
ID token), RFC 6750 §2.1/§2.2 (the token in the Authorization header, or once in a
form-encoded POST body), RFC 6750 §3.1 (401 `invalid_token`, 403 `insufficient_scope`).
A client_credentials (application) token identifies no user: `invalid_token`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from runegate import errors
from runegate.http.auth import bearer_token
from runegate.http.auth import challenge
from runegate.http.auth import verify_token
from runegate.oauth.clients import ClientStore
from runegate.oauth.request import FORM
from runegate.oauth.request import parse_form
from runegate.oidc.id_token import IdTokens

OPENID = "openid"


async def userinfo_token(request: Request) -> str:
    """The access token from the header, or from a form POST body (RFC 6750 §2.2)."""
    in_body: str | None = None
    media = (request.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if request.method == "POST" and media == FORM:
        in_body = parse_form(media, await request.body()).get("access_token")
    if request.headers.get("authorization"):
        if in_body is not None:
            # RFC 6750 §2: clients MUST NOT use more than one method per request.
            raise errors.InvalidRequest(
                "Send the access token once.",
                headers={"WWW-Authenticate": challenge("invalid_request")},
            )
        return bearer_token(request)
    if in_body is None:
        raise errors.MissingToken(headers={"WWW-Authenticate": challenge()})
    return in_body


def _invalid(description: str) -> errors.InvalidToken:
    header = challenge("invalid_token", description)
    return errors.InvalidToken(description, headers={"WWW-Authenticate": header})


async def userinfo(request: Request, clients: ClientStore, id_tokens: IdTokens) -> dict[str, Any]:
    access = await verify_token(request, await userinfo_token(request))
    token = access.token
    if token.subject_type != "user" or token.user_id is None:
        raise _invalid("The access token does not identify a user.")
    if OPENID not in token.scopes:
        raise errors.InsufficientScope(
            "The access token does not carry the openid scope.",
            headers={"WWW-Authenticate": challenge("insufficient_scope", scope=OPENID)},
        )
    client = await clients.by_application_id(token.root_id, token.application_id)
    if client is None:  # the application was deleted after the token was verified
        raise _invalid("The access token is invalid or expired.")
    return await id_tokens.user_claims(access.tenant, client, token.user_id, sorted(token.scopes))
