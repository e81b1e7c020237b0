"""ID tokens, and the user claims an application receives (also served by userinfo).

Implements: OIDC Core §2 (ID token claims), §3.1.3.6 (`at_hash`), §3.1.3.7 (what a
client validates: iss, aud, azp, signature with a `kid` of the JWKS), §5.4 (claims by
scope). Asgardeo's extra claims `azp`, `amr`, `jti`, `nbf`, `org_id`, `org_name` are set.
Lifetime, extra audiences and the signing algorithm are the application's
(`idToken.expiryInSeconds`, `idToken.audience`, `idToken.idTokenSignedResponseAlg`).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from runegate.oauth.clients import ClientRecord
from runegate.oidc.claims import released_claims
from runegate.oidc.claims import user_claims
from runegate.storage.db import Database
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

ID_TOKEN_TYPE = "JWT"


class IdTokenSigner(Protocol):
    """Signs with the organization's active key for `alg` (see `oauth/key_store.py`)."""

    async def sign(
        self, tenant: TenantContext, alg: str, claims: dict[str, Any], typ: str = ...
    ) -> str: ...


def token_hash(value: str) -> str:
    """OIDC Core §3.1.3.6 (`at_hash`) and §3.3.2.11 (`c_hash`): base64url of the left
    half of the hash of the ASCII value; every supported algorithm is *256 (SHA-256)."""
    digest = hashlib.sha256(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")


class IdTokens:
    """Builds ID tokens and userinfo claims; one per app (`GrantServices.id_tokens`)."""

    def __init__(self, db: Database, signer: IdTokenSigner) -> None:
        self.db = db
        self.signer = signer

    async def user_claims(
        self, tenant: TenantContext, client: ClientRecord, user_id: str, scopes: Sequence[str]
    ) -> dict[str, Any]:
        """`sub` plus the claims the application requested that `scopes` cover (§5.4).

        Also the userinfo answer (OIDC Core §5.3.2). A user that no longer exists
        yields `sub` only.
        """
        claims: dict[str, Any] = {"sub": user_id}
        names = released_claims(client.requested_claims, scopes)
        if not names:
            return claims
        async with self.db.read() as session:
            user = await UserRepository(session, tenant=tenant).find(user_id)
        if user is not None:
            claims.update(user_claims(user, names))
        return claims

    async def issue(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        *,
        user_id: str,
        scopes: Sequence[str],
        access_token: str | None = None,
        nonce: str | None = None,
        auth_time: int | None = None,
        sid: str | None = None,
        code: str | None = None,
        amr: Sequence[str] | None = None,
    ) -> str:
        """A signed ID token (compact JWS) for `user_id`, issued to `client` now.

        tenant:       the request's organization (issuer `{public_url}/t/{org}/oauth2/token`).
        client:       the application (`ClientRecord`): aud = client_id + idToken.audience,
                      lifetime, signing algorithm and requested claims come from it.
        user_id:      the user's id: `sub`.
        scopes:       the GRANTED scopes; user claims are released per OIDC Core §5.4.
        access_token: the access token issued beside it -> `at_hash` (§3.1.3.6).
        nonce:        the authorization request's `nonce`, echoed when given (§3.1.2.1).
        auth_time:    when the user authenticated (epoch seconds); default: now.
        sid:          the SSO session id (OIDC Front-/Back-Channel Logout), when any.
        code:         the authorization code, when the token leaves the authorization
                      endpoint (hybrid flow) -> `c_hash` (§3.3.2.11); not for the token
                      endpoint.
        amr:          authentication methods (RFC 8176 values such as "pwd"), when known.
        """
        now = int(time.time())
        claims = await self.user_claims(tenant, client, user_id, scopes)
        claims.update(_protocol_claims(tenant, client, now))
        optional = {
            "auth_time": auth_time if auth_time is not None else now,
            "nonce": nonce,
            "at_hash": token_hash(access_token) if access_token else None,
            "c_hash": token_hash(code) if code else None,
            "sid": sid,
            "amr": list(amr) if amr else None,
        }
        claims.update({k: v for k, v in optional.items() if v is not None})
        return await self.signer.sign(tenant, client.id_token_alg, claims, ID_TOKEN_TYPE)


def _protocol_claims(tenant: TenantContext, client: ClientRecord, now: int) -> dict[str, Any]:
    """OIDC Core §2: iss, aud, exp, iat (and azp, Asgardeo's nbf, jti, org claims)."""
    audience = [client.client_id, *(a for a in client.id_token_audience if a != client.client_id)]
    return {
        "iss": tenant.issuer,
        "aud": audience if len(audience) > 1 else audience[0],
        "azp": client.client_id,
        "iat": now,
        "nbf": now,
        "exp": now + client.id_token_lifetime,
        "jti": secrets.token_hex(16),
        "org_id": tenant.org_id,
        "org_name": tenant.org_name or tenant.root_name,
    }
