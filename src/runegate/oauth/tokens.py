"""Access tokens: issue (opaque or RFC 9068 JWT), persist, and mint for a user subject.

Opaque tokens are 256-bit random strings stored only as a keyed hash (HMAC-SHA-256 under
`settings.secret_keys[0]`) with client, subject, scopes, audience and times. JWT access
tokens (RFC 9068) are persisted too (hash of the token, with their `jti`), so that
introspection, revocation and the application checks work the same for both.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import random_secret
from runegate.oauth.clients import ClientRecord
from runegate.tenancy.context import TenantContext

if TYPE_CHECKING:
    from runegate.state import AppState


@dataclass(frozen=True, slots=True)
class IssuedAccessToken:
    """The token response fields (RFC 6749 §5.1) and the facts that were stored."""

    access_token: str
    jti: str
    scopes: tuple[str, ...]
    audience: tuple[str, ...]
    expires_in: int
    issued_at: datetime
    expires_at: datetime


class TokenSink(Protocol):
    """Persists token rows durably before the token is returned (see `writer.py`)."""

    async def store(self, row: dict[str, Any]) -> None: ...


class JwtSigner(Protocol):
    """Signs RFC 9068 access tokens (see `jwt_access.py`)."""

    async def sign(self, tenant: TenantContext, alg: str, claims: dict[str, Any]) -> str: ...


def audience_for(client: ClientRecord, scopes: Iterable[str]) -> tuple[str, ...]:
    """RFC 9068 §3: the client_id plus the API resources whose scopes were granted."""
    audience = [client.client_id]
    for scope in scopes:
        identifier = client.scopes.get(scope)
        if identifier and identifier not in audience:
            audience.append(identifier)
    return tuple(audience)


class TokenIssuer:
    """Issues access tokens for a client; stores one row per token."""

    def __init__(self, keys: tuple[bytes, ...], sink: TokenSink, signer: JwtSigner | None) -> None:
        self.key = keys[0]
        self.sink = sink
        self.signer = signer

    async def issue(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        scopes: Sequence[str],
        *,
        subject: str,
        subject_type: str = "application",
        lifetime: int | None = None,
        grant_id: str | None = None,
        sid: str | None = None,
    ) -> IssuedAccessToken:
        """`grant_id` groups the tokens of one grant (e.g. an authorization code), so
        they can be revoked together; by default each token is its own grant. `sid`: the
        SSO session the user signed in through, when any (revoked with it when the
        application asks, `identity.revocation.end_sessions`)."""
        now = datetime.now(UTC).replace(microsecond=0)
        if lifetime is None:
            app_token = subject_type == "application"
            lifetime = client.application_lifetime if app_token else client.user_lifetime
        expires = now + timedelta(seconds=lifetime)
        jti = secrets.token_hex(16)
        audience = audience_for(client, scopes)
        use_jwt = client.token_format == "jwt" and self.signer is not None
        if use_jwt:
            claims = _jwt_claims(tenant, client, scopes, audience, subject, jti, now, expires)
            assert self.signer is not None
            token = await self.signer.sign(tenant, client.signing_alg, claims)
        else:
            token = random_secret(32)
        row = {
            "token_hash": keyed_hash(self.key, token),
            "org_id": tenant.root_id,
            "kind": "access",
            "format": "jwt" if use_jwt else "opaque",
            "jti": jti,
            "grant_id": grant_id or jti,
            "application_id": client.application_id,
            "client_id": client.client_id,
            "secret_generation": client.secret_generation,
            "subject": subject,
            "subject_type": subject_type,
            "scope": " ".join(scopes),
            "audience": " ".join(audience),
            "acting_org_id": tenant.org_id if tenant.switched else None,
            "issued_at": now,
            "expires_at": expires,
            "revoked": False,
            "sid": sid,
        }
        await self.sink.store(row)
        return IssuedAccessToken(token, jti, tuple(scopes), audience, lifetime, now, expires)


def _jwt_claims(
    tenant: TenantContext,
    client: ClientRecord,
    scopes: Sequence[str],
    audience: tuple[str, ...],
    subject: str,
    jti: str,
    now: datetime,
    expires: datetime,
) -> dict[str, Any]:
    """RFC 9068 §2.2 claims (plus Asgardeo's `azp`; `scope` as a space-separated string)."""
    iat = int(now.timestamp())
    claims: dict[str, Any] = {
        "iss": tenant.issuer,
        "sub": subject,
        "aud": list(audience) if len(audience) > 1 else audience[0],
        "azp": client.client_id,
        "client_id": client.client_id,
        "jti": jti,
        "iat": iat,
        "nbf": iat,
        "exp": int(expires.timestamp()),
    }
    if scopes:
        claims["scope"] = " ".join(scopes)
    if tenant.switched:
        # An organization-switched token names the organization it acts in (as Asgardeo).
        claims["org_id"] = tenant.org_id
        claims["org_name"] = tenant.org_name
    return claims


async def mint_user_access_token(
    issuer: TokenIssuer,
    tenant: TenantContext,
    client: ClientRecord,
    *,
    user_id: str,
    scopes: Sequence[str],
    lifetime: int | None = None,
) -> IssuedAccessToken:
    """Mint an access token for a USER subject (subject_type "user", user_id = `user_id`).

    For services and tests that need an end-user token before the user-facing grants exist
    (e.g. `/scim2/Me`). `scopes` are granted as given (no authorization check: the caller
    decides); the lifetime defaults to the application's `userAccessTokenExpiryInSeconds`.
    The token verifies through `AppState.token_verifier` like any other. From a test:

        server = app.state.runegate.oauth
        client = await server.clients.by_client_id(tenant.root_id, BOOT_CLIENT_ID)
        issued = await mint_user_access_token(server.issuer, tenant, client,
                                              user_id=user.id, scopes=["internal_login"])
    """
    return await issuer.issue(
        tenant, client, list(scopes), subject=user_id, subject_type="user", lifetime=lifetime
    )


async def mint_user_token(
    state: AppState,
    tenant: TenantContext,
    *,
    client_id: str,
    user_id: str,
    scopes: Sequence[str],
    lifetime: int | None = None,
) -> str:
    """The simplest way to get a USER access token (raw string) on a running app.

    `client_id` names an application of `tenant`'s root organization (e.g. the bootstrap
    app); the token has subject_type "user", `user_id` as subject, exactly `scopes`, and
    is opaque or JWT per that application's settings. Example (SCIM `/scim2/Me` tests):

        token = await mint_user_token(app.state.runegate, tenant, client_id=BOOT_CLIENT_ID,
                                      user_id=user.id, scopes=["internal_login"])
    """
    from runegate.errors import NotFound
    from runegate.oauth.service import server_of

    server = server_of(state)
    client = await server.clients.by_client_id(tenant.root_id, client_id)
    if client is None:
        raise NotFound("The application does not exist.")
    issued = await mint_user_access_token(
        server.issuer, tenant, client, user_id=user_id, scopes=scopes, lifetime=lifetime
    )
    return issued.access_token
