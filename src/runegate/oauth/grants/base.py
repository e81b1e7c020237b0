"""What every grant gets and returns (STYLE §4: a class per grant, an explicit registry)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import ClassVar
from typing import Protocol

from runegate.oauth.client_auth import AuthenticatedClient
from runegate.oauth.request import OAuthRequest
from runegate.oauth.tokens import IssuedAccessToken
from runegate.oauth.tokens import TokenIssuer


@dataclass(frozen=True, slots=True)
class GrantContext:
    request: OAuthRequest
    client: AuthenticatedClient
    requested_scopes: tuple[str, ...]
    issuer: TokenIssuer


class Grant(Protocol):
    grant_type: ClassVar[str]
    parameters: ClassVar[frozenset[str]]

    async def handle(self, ctx: GrantContext) -> dict[str, Any]: ...


def token_response(issued: IssuedAccessToken) -> dict[str, Any]:
    """RFC 6749 §5.1; `scope` only when scopes were granted (CONTRACT §4.3, §4.7)."""
    body: dict[str, Any] = {"access_token": issued.access_token}
    if issued.scopes:
        body["scope"] = " ".join(issued.scopes)
    body["token_type"] = "Bearer"
    body["expires_in"] = issued.expires_in
    return body
