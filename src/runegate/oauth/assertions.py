"""private_key_jwt client authentication.

Implements: RFC 7523 §2.2 (JWT client assertions) and §3 (`iss` = `sub` = client_id,
`aud` names this authorization server, `exp` required, `jti` not replayed unless the
application allows reuse), OIDC Core §9 (`private_key_jwt`). Keys come from the
application's registered certificate (PEM) or JWKS URL (fetched safely: crypto/jwks.py).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from runegate.crypto import jwt
from runegate.crypto.jwks import JwksFetcher
from runegate.crypto.jwks import JwksFetchError
from runegate.errors import InvalidClient
from runegate.oauth.clients import ClientRecord
from runegate.oauth.clients import ClientStore
from runegate.oauth.request import OAuthRequest
from runegate.storage.db import Database
from runegate.storage.models.token import UsedAssertion
from runegate.tenancy.context import TenantContext

CLOCK_SKEW = 30
MAX_ASSERTION_LIFETIME = 3600


def accepted_audiences(tenant: TenantContext) -> frozenset[str]:
    """RFC 7523 §3 item 3: the issuer or the endpoint the assertion is sent to."""
    base = f"{tenant.tenant_url}/oauth2"
    return frozenset({tenant.issuer, f"{base}/introspect", f"{base}/revoke"})


def _fail(description: str) -> InvalidClient:
    return InvalidClient(description)


def check_claims(claims: dict[str, Any], client_id: str, tenant: TenantContext) -> int:
    """The assertion's expiry, once its registered claims are acceptable."""
    now = time.time()
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    exp = claims.get("exp")
    if claims.get("iss") != client_id or claims.get("sub") != client_id:
        raise _fail("The assertion iss and sub must be the client_id.")
    if not accepted_audiences(tenant) & set(audiences):
        raise _fail("The assertion audience does not name this server.")
    if not isinstance(exp, int) or exp <= now - CLOCK_SKEW:
        raise _fail("The assertion has expired or has no exp.")
    if exp > now + MAX_ASSERTION_LIFETIME:
        raise _fail("The assertion expires too far in the future.")
    nbf = claims.get("nbf")
    if isinstance(nbf, int) and nbf > now + CLOCK_SKEW:
        raise _fail("The assertion is not valid yet.")
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise _fail("The assertion has no jti.")
    return exp


class AssertionVerifier:
    """Checks a client assertion; returns the client it authenticates."""

    def __init__(self, clients: ClientStore, db: Database, fetcher: JwksFetcher) -> None:
        self.clients = clients
        self.db = db
        self.fetcher = fetcher

    async def __call__(self, req: OAuthRequest, assertion: str) -> ClientRecord:
        try:
            _header, unverified = jwt.peek(assertion)
        except jwt.JwtError:
            raise _fail("The client assertion is malformed.") from None
        client_id = unverified.get("sub")
        if not isinstance(client_id, str) or not client_id:
            raise _fail("The client assertion has no sub.")
        if req.params.get("client_id", client_id) != client_id:
            raise _fail("The client_id does not match the assertion.")
        record = await self.clients.by_client_id(req.tenant.root_id, client_id)
        if record is None or not record.active or record.auth_method != "private_key_jwt":
            raise _fail("Client authentication failed.")
        claims = await self._verify(record, assertion)
        exp = check_claims(claims, client_id, req.tenant)
        if not record.allow_assertion_reuse:
            await self._remember(req.tenant, client_id, claims["jti"], exp)
        return record

    async def _verify(self, record: ClientRecord, assertion: str) -> dict[str, Any]:
        algorithms = (record.assertion_alg,) if record.assertion_alg else jwt.SUPPORTED_ALGORITHMS
        keys = await self._keys(record, refresh=False)
        try:
            return jwt.verify(assertion, keys, algorithms)[1]
        except jwt.JwtError:
            if not self._uses_jwks(record):
                raise _fail("The client assertion signature is invalid.") from None
        keys = await self._keys(record, refresh=True)  # the client may have rotated keys
        try:
            return jwt.verify(assertion, keys, algorithms)[1]
        except jwt.JwtError:
            raise _fail("The client assertion signature is invalid.") from None

    @staticmethod
    def _uses_jwks(record: ClientRecord) -> bool:
        return bool(record.certificate and record.certificate.get("type") == "JWKS")

    async def _keys(self, record: ClientRecord, *, refresh: bool) -> Sequence[jwt.VerifyingKey]:
        certificate = record.certificate or {}
        value = certificate.get("value")
        if not isinstance(value, str) or not value:
            raise _fail("The application has no certificate or JWKS URL.")
        try:
            if self._uses_jwks(record):
                if refresh:
                    self.fetcher.forget(value)
                return jwt.keys_from_jwks(await self.fetcher.get(value))
            return jwt.keys_from_certificate(value)
        except (JwksFetchError, jwt.JwtError):
            raise _fail("The application's keys could not be loaded.") from None

    async def _remember(self, tenant: TenantContext, client_id: str, jti: str, exp: int) -> None:
        """RFC 7523 §3 item 7: a `jti` is accepted once (until the assertion expires)."""
        row = UsedAssertion(
            org_id=tenant.org_id,
            client_id=client_id,
            jti=jti[:255],
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
        try:
            async with self.db.write() as session:
                session.add(row)
        except IntegrityError:
            raise _fail("The client assertion was already used.") from None
