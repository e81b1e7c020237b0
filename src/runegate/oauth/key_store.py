"""Signing keys of each root organization, decrypted once and cached in process.

Signs RFC 9068 access tokens (`typ: at+jwt`, `kid`) and verifies them against the
organization's published keys. Cached per organization in `state.caches`: a rotation
bumps the change counter, so every worker picks up the new key within 1 s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.crypto import jwt
from runegate.crypto.jwks import jwks_document
from runegate.crypto.keys import KeyDecryptionError
from runegate.crypto.keys import check_algorithm
from runegate.crypto.keys import decrypt_private_key
from runegate.errors import InvalidToken
from runegate.oauth.signing_keys import KEY_LOCK
from runegate.oauth.signing_keys import ensure_key
from runegate.oauth.signing_keys import keys_of
from runegate.storage.db import Database
from runegate.tenancy.context import TenantContext

ACCESS_TOKEN_TYPE = "at+jwt"  # RFC 9068 §2.1
CLOCK_SKEW = 30


@dataclass(frozen=True, slots=True)
class OrgKeys:
    signing: dict[str, tuple[str, jwt.VerifyingKey]]  # alg -> (kid, private key)
    verifying: list[jwt.VerifyingKey]
    jwks: dict[str, Any]


class KeyStore:
    def __init__(self, db: Database, caches: CacheRegistry, secrets: tuple[bytes, ...]) -> None:
        self.db = db
        self.secrets = secrets
        self._cache: Cache[OrgKeys] = Cache(caches, "signing_keys")
        self._caches = caches

    async def keys(self, org_id: str) -> OrgKeys:
        cached = self._cache.get(org_id)
        if cached is not None:
            return cached
        async with self.db.read() as session:
            rows = await keys_of(session, org_id)
        signing: dict[str, tuple[str, jwt.VerifyingKey]] = {}
        verifying: list[jwt.VerifyingKey] = []
        published: list[dict[str, Any]] = []
        for row in rows:
            verifying.append(jwt.import_public_jwk(row.public_jwk))
            published.append(row.public_jwk)
            if row.active:
                try:
                    pem = decrypt_private_key(row.private_key, self.secrets)
                except KeyDecryptionError:
                    continue  # a key under a secret no longer configured cannot sign
                signing[row.alg] = (row.kid, jwt.import_private_key(pem, row.alg))
        loaded = OrgKeys(signing, verifying, jwks_document(published))
        self._cache.set(org_id, loaded)
        return loaded

    async def verifying_keys(self, org_id: str) -> list[jwt.VerifyingKey]:
        """Every published key of the organization (ID token hints, access tokens)."""
        return (await self.keys(org_id)).verifying

    async def signing_key(self, org_id: str, alg: str) -> tuple[str, jwt.VerifyingKey]:
        found = (await self.keys(org_id)).signing.get(alg)
        if found is not None:
            return found
        async with self.db.write() as session:  # first use of this algorithm
            await self.db.lock(session, KEY_LOCK)
            await ensure_key(session, org_id, check_algorithm(alg), self.secrets)
        self._caches.changed()
        found = (await self.keys(org_id)).signing.get(alg)
        if found is None:
            raise KeyDecryptionError("no usable signing key")
        return found

    async def sign(
        self, tenant: TenantContext, alg: str, claims: dict[str, Any], typ: str = ACCESS_TOKEN_TYPE
    ) -> str:
        """Sign with the organization's active key for `alg` (its `kid` is in the JWKS)."""
        kid, key = await self.signing_key(tenant.root_id, alg)
        return jwt.sign(claims, key, alg=alg, kid=kid, typ=typ)

    async def read_jti(self, tenant: TenantContext, raw: str) -> str:
        """RFC 9068 §4: check `typ`, signature, `iss` and times; return the `jti`."""
        claims = await self.verify_access_token(tenant, raw)
        jti = claims.get("jti")
        if not isinstance(jti, str):
            raise InvalidToken()
        return jti

    async def verify_access_token(self, tenant: TenantContext, raw: str) -> dict[str, Any]:
        keys = await self.keys(tenant.root_id)
        try:
            header, claims = jwt.verify(raw, keys.verifying, jwt.SUPPORTED_ALGORITHMS)
        except jwt.JwtError:
            raise InvalidToken() from None
        now = time.time()
        if (
            str(header.get("typ", "")).lower() not in (ACCESS_TOKEN_TYPE, "application/at+jwt")
            or claims.get("iss") != tenant.issuer
            or not isinstance(claims.get("exp"), int)
            or claims["exp"] <= now - CLOCK_SKEW
            or (isinstance(claims.get("nbf"), int) and claims["nbf"] > now + CLOCK_SKEW)
        ):
            raise InvalidToken()
        return claims

    async def jwks(self, org_id: str) -> dict[str, Any]:
        keys = await self.keys(org_id)
        if "RS256" not in keys.signing:
            await self.signing_key(org_id, "RS256")  # RS256 is always published
            keys = await self.keys(org_id)
        return keys.jwks
