"""Client records: the per-application facts the token service needs, cached in process.

Cached per (organization, client_id) and per (organization, application id) in
`state.caches`, so the hot path makes no database round trip for the client or its
authorizations; any configuration change bumps the change counter and clears them
(`runegate.cache`: at once on the writing worker, within 1 s on every other one).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import select

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.oauth.app_defaults import DEFAULT_ACCESS_TOKEN_LIFETIME
from runegate.oauth.app_defaults import DEFAULT_ID_TOKEN_LIFETIME
from runegate.oauth.app_defaults import DEFAULT_REFRESH_TOKEN_LIFETIME
from runegate.oidc.claims import requested_claims
from runegate.storage.db import Database
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.models.application import AuthorizedScope

ACTIVE = "ACTIVE"


@dataclass(frozen=True, slots=True)
class ClientRecord:
    """An application as an OAuth client (RFC 6749 §2)."""

    application_id: str
    org_id: str
    client_id: str
    secret_hash: str | None
    state: str
    secret_generation: int
    public_client: bool
    grant_types: frozenset[str]
    auth_method: str
    allow_assertion_reuse: bool
    token_format: str  # "opaque" or "jwt" (Asgardeo accessToken.type "Default" / "JWT")
    application_lifetime: int
    user_lifetime: int
    signing_alg: str
    # Authorized scope name -> identifier of its API resource (becomes an `aud` value).
    scopes: Mapping[str, str] = field(default_factory=dict)
    certificate: Mapping[str, Any] | None = None  # {"type": "JWKS"|"PEM", "value": ...}
    assertion_alg: str | None = None  # clientAuthentication.tokenEndpointAuthSigningAlg
    # OIDC: idToken.expiryInSeconds / audience / idTokenSignedResponseAlg, and the OIDC
    # claims of claimConfiguration.requestedClaims (oidc/claims.py).
    id_token_lifetime: int = DEFAULT_ID_TOKEN_LIFETIME
    id_token_audience: tuple[str, ...] = ()
    id_token_alg: str = "RS256"
    requested_claims: frozenset[str] = frozenset()
    # refreshToken.expiryInSeconds / renewRefreshToken / extendRenewedRefreshTokenExpiryTime.
    refresh_lifetime: int = DEFAULT_REFRESH_TOKEN_LIFETIME
    renew_refresh: bool = True
    extend_refresh: bool = False

    @property
    def active(self) -> bool:
        return self.state == ACTIVE


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) and value > 0 else default


def build_record(app: Application, scopes: Mapping[str, str]) -> ClientRecord:
    oidc: dict[str, Any] = app.oidc or {}
    access: dict[str, Any] = oidc.get("accessToken") or {}
    auth: dict[str, Any] = oidc.get("clientAuthentication") or {}
    id_token: dict[str, Any] = oidc.get("idToken") or {}
    refresh: dict[str, Any] = oidc.get("refreshToken") or {}
    advanced: dict[str, Any] = (app.settings or {}).get("advancedConfigurations") or {}
    token_type = str(access.get("type") or "Default")
    return ClientRecord(
        application_id=app.id,
        org_id=app.org_id,
        client_id=app.client_id,
        secret_hash=app.client_secret_hash,
        state=app.state,
        secret_generation=app.secret_generation,
        public_client=bool(app.public_client or oidc.get("publicClient")),
        grant_types=frozenset(oidc.get("grantTypes") or ()),
        auth_method=str(auth.get("tokenEndpointAuthMethod") or "client_secret_basic"),
        allow_assertion_reuse=bool(auth.get("tokenEndpointAllowReusePvtKeyJwt")),
        token_format="jwt" if token_type.upper() == "JWT" else "opaque",
        application_lifetime=_int(
            access.get("applicationAccessTokenExpiryInSeconds"), DEFAULT_ACCESS_TOKEN_LIFETIME
        ),
        user_lifetime=_int(
            access.get("userAccessTokenExpiryInSeconds"), DEFAULT_ACCESS_TOKEN_LIFETIME
        ),
        signing_alg=str(access.get("signingAlgorithm") or "RS256"),
        scopes=dict(scopes),
        certificate=advanced.get("certificate") or None,
        assertion_alg=auth.get("tokenEndpointAuthSigningAlg") or None,
        id_token_lifetime=_int(id_token.get("expiryInSeconds"), DEFAULT_ID_TOKEN_LIFETIME),
        id_token_audience=tuple(str(a) for a in id_token.get("audience") or () if a),
        id_token_alg=str(id_token.get("idTokenSignedResponseAlg") or "RS256"),
        requested_claims=requested_claims(app.settings),
        refresh_lifetime=_int(refresh.get("expiryInSeconds"), DEFAULT_REFRESH_TOKEN_LIFETIME),
        renew_refresh=refresh.get("renewRefreshToken") is not False,
        extend_refresh=refresh.get("extendRenewedRefreshTokenExpiryTime") is True,
    )


class ClientStore:
    """Loads client records once per configuration version; answers from memory after."""

    def __init__(self, db: Database, caches: CacheRegistry) -> None:
        self.db = db
        self._by_client: Cache[tuple[ClientRecord | None]] = Cache(caches, "oauth_clients")
        self._by_app: Cache[tuple[ClientRecord | None]] = Cache(caches, "oauth_apps")

    async def by_client_id(self, org_id: str, client_id: str) -> ClientRecord | None:
        key = (org_id, client_id)
        hit = self._by_client.get(key)
        if hit is not None:
            return hit[0]
        record = await self._load(org_id, Application.client_id == client_id)
        self._by_client.set(key, (record,))  # negative answers are cached too
        return record

    async def by_application_id(self, org_id: str, application_id: str) -> ClientRecord | None:
        key = (org_id, application_id)
        hit = self._by_app.get(key)
        if hit is not None:
            return hit[0]
        record = await self._load(org_id, Application.id == application_id)
        self._by_app.set(key, (record,))
        return record

    async def _load(self, org_id: str, criterion: Any) -> ClientRecord | None:
        async with self.db.read() as session:
            app = await session.scalar(
                select(Application).where(Application.org_id == org_id, criterion)
            )
            if app is None:
                return None
            rows = await session.execute(
                select(ApiScope.name, ApiResource.identifier)
                .join(AuthorizedScope, AuthorizedScope.scope_id == ApiScope.id)
                .join(ApiResource, ApiResource.id == ApiScope.api_resource_id)
                .where(
                    AuthorizedScope.org_id == org_id,
                    AuthorizedScope.application_id == app.id,
                    ApiScope.org_id == org_id,
                )
            )
            scopes = {name: identifier for name, identifier in rows.all()}
        return build_record(app, scopes)
