"""The token service of one app instance: client store, authenticator, issuer, verifier."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import cast

from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.clients import ClientStore
from runegate.oauth.tokens import TokenIssuer
from runegate.oauth.verifier import AccessTokenVerifier
from runegate.oauth.verifier import TokenLookup
from runegate.oauth.writer import TokenWriter

if TYPE_CHECKING:
    from runegate.state import AppState


class OAuthServer:
    def __init__(self, state: AppState) -> None:
        keys = state.settings.secret_keys
        self.state = state
        self.clients = ClientStore(state.db, state.caches)
        self.authenticator = ClientAuthenticator(self.clients, keys, None)
        self.writer = TokenWriter(state.db)
        self.issuer = TokenIssuer(keys, self.writer, None)
        self.lookup = TokenLookup(state.db, keys, None)
        self.verifier = AccessTokenVerifier(self.lookup)


def install(state: AppState) -> OAuthServer:
    """Create the token service for `state` and make it the app's token verifier."""
    server = OAuthServer(state)
    state.token_verifier = server.verifier
    state.__dict__["oauth"] = server
    return server


def server_of(state: AppState) -> OAuthServer:
    """The token service installed on `state` (e.g. `server_of(app.state.runegate)`)."""
    return cast(OAuthServer, state.__dict__["oauth"])
