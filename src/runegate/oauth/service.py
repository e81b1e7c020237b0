"""The token service of one app instance: clients, keys, authentication, issuing,
verification and housekeeping, wired together once."""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import cast

from runegate.crypto.jwks import JwksFetcher
from runegate.identity.passwords import VerifyPool
from runegate.oauth.assertions import AssertionVerifier
from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.clients import ClientStore
from runegate.oauth.codes import CodeStore
from runegate.oauth.grants.base import GrantServices
from runegate.oauth.housekeeping import BackgroundPurge
from runegate.oauth.key_store import KeyStore
from runegate.oauth.refresh import RefreshTokens
from runegate.oauth.signing_keys import configure_secrets
from runegate.oauth.tokens import TokenIssuer
from runegate.oauth.verifier import AccessTokenVerifier
from runegate.oauth.verifier import TokenLookup
from runegate.oauth.writer import TokenWriter
from runegate.oidc.backchannel import BackchannelSender
from runegate.oidc.id_token import IdTokens
from runegate.roles.org_access import OrganizationAccess
from runegate.roles.store import RoleUserStore

if TYPE_CHECKING:
    from runegate.state import AppState


class OAuthServer:
    def __init__(self, state: AppState) -> None:
        secrets = state.settings.secret_keys
        development = state.settings.env == "development"
        self.state = state
        self.clients = ClientStore(state.db, state.caches)
        self.keys = KeyStore(state.db, state.caches, secrets)
        self.fetcher = JwksFetcher(development=development)
        assertions = AssertionVerifier(self.clients, state.db, self.fetcher)
        self.authenticator = ClientAuthenticator(self.clients, secrets, assertions)
        self.writer = TokenWriter(state.db)
        self.issuer = TokenIssuer(secrets, self.writer, self.keys)
        self.lookup = TokenLookup(state.db, secrets, self.keys)
        self.verifier = AccessTokenVerifier(self.lookup)
        self.purge = BackgroundPurge(state.db, audit_retention=state.settings.audit_retention)
        self.backchannel = BackchannelSender(state.db, self.keys)
        # What grants reach through their GrantContext (grants/base.py).
        self.id_tokens = IdTokens(state.db, self.keys)
        self.codes = CodeStore(state.db, secrets)
        self.refresh = RefreshTokens(state.db, secrets, self.lookup)
        self.grants = GrantServices(
            self.issuer,
            RoleUserStore(
                state.db,
                state.caches,
                pool=VerifyPool(
                    state.settings.password_verify_threads, state.settings.password_verify_queue
                ),
                ip_failure_limit=state.settings.lockout_failures_per_ip,
            ),
            state.db,
            self.id_tokens,
            self.codes,
            refresh=self.refresh,
            orgs=OrganizationAccess(state.db, state.caches),
            verifier=self.verifier,
        )


def install(state: AppState) -> OAuthServer:
    """Create the token service for `state` and make it the app's token verifier."""
    settings = state.settings
    configure_secrets(lambda: settings.secret_keys)
    server = OAuthServer(state)
    state.token_verifier = server.verifier
    state.__dict__["oauth"] = server
    return server


def server_of(state: AppState) -> OAuthServer:
    """The token service installed on `state` (e.g. `server_of(app.state.runegate)`)."""
    return cast(OAuthServer, state.__dict__["oauth"])
