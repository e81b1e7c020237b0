"""The token endpoint, as an ordered list of named steps.

Implements: RFC 6749 §3.2 (token endpoint), §5.1 (response, `Cache-Control: no-store`),
§5.2 (error responses).
"""

from __future__ import annotations

from typing import Any

from runegate.errors import InvalidRequest
from runegate.errors import UnauthorizedClient
from runegate.errors import UnsupportedGrantType
from runegate.oauth.client_auth import AuthenticatedClient
from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.grants import GRANTS
from runegate.oauth.grants.base import Grant
from runegate.oauth.grants.base import GrantContext
from runegate.oauth.grants.base import GrantServices
from runegate.oauth.request import OAuthRequest
from runegate.oauth.request import printable
from runegate.oauth.scopes import parse_scope

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def select_grant(req: OAuthRequest) -> Grant:
    grant_type = req.params.get("grant_type")
    if not grant_type:
        raise InvalidRequest("The grant_type parameter is missing.")
    grant = GRANTS.get(grant_type)
    if grant is None:
        raise UnsupportedGrantType(f"The grant type {printable(grant_type)} is not supported.")
    return grant


def check_grant_allowed(client: AuthenticatedClient, grant: Grant) -> None:
    if grant.grant_type not in client.record.grant_types:
        raise UnauthorizedClient("The client is not allowed to use this grant type.")


async def token(
    req: OAuthRequest, authenticator: ClientAuthenticator, services: GrantServices
) -> dict[str, Any]:
    grant = select_grant(req)
    client = await authenticator.authenticate(req)
    check_grant_allowed(client, grant)
    scopes = parse_scope(req.params.get("scope"))
    return await grant.handle(GrantContext(req, client, scopes, services))
