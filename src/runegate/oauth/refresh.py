"""Refresh tokens: issue, redeem with rotation, and detect reuse.

Implements: RFC 6749 §6 (bound to the client it was issued to; §10.4 rotation: a
rotated token presented again revokes the whole grant and its access tokens, as
RFC 9700 §4.14.2 recommends). Refresh tokens are 256-bit random values stored only as
keyed hashes in `issued_token` (kind "refresh"); every token of one grant (the refresh
tokens of a rotation chain and the access tokens issued beside them) shares a
`grant_id`. Lifetime and rotation come from the application: `refreshToken.
expiryInSeconds` (default 86400), `renewRefreshToken` (default on) and
`extendRenewedRefreshTokenExpiryTime` (default off: a rotated token keeps the grant's
first expiry, so rotation cannot extend a grant forever). A token acting in a
sub-organization (an `OrganizationSSO` sign-in, an organization switch) is redeemed only
while its `ActingOrgCheck` still admits it there (organization active and sharing the
application, user with access), and its successor acts in the same organization.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Literal
from typing import Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import random_secret
from runegate.errors import InvalidGrant
from runegate.errors import InvalidScope
from runegate.identity.users import PENDING_INVITATION
from runegate.oauth.clients import ClientRecord
from runegate.oauth.codes import aware
from runegate.oauth.endpoints.revocation import revoke_grant
from runegate.oauth.verifier import StoredToken
from runegate.oauth.verifier import TokenLookup
from runegate.oauth.verifier import TokenRow
from runegate.storage.db import Database
from runegate.storage.models.token import IssuedToken
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

# STYLE §5: one generic description; the reason goes to `detail`.
BAD_REFRESH = "The refresh token is invalid, expired or revoked."

Outcome = Literal[
    "ok", "unknown", "other_client", "application", "expired", "reused", "user", "organization"
]
# A token acting in a sub-organization: that organization's context, and the scopes the
# user holds there now.
ActingOrg = tuple[TenantContext, frozenset[str]]


class ActingOrgCheck(Protocol):
    """Whether a refresh token's sub-organization still admits its user and application
    (`grants/refresh_token.py`); None when it does not."""

    async def __call__(self, tenant: TenantContext, token: StoredToken) -> ActingOrg | None: ...


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    """What a redeemed refresh token carries on to the new tokens."""

    user_id: str
    scopes: tuple[str, ...]
    grant_id: str
    auth_time: datetime | None
    sid: str | None
    refresh_token: str  # the new token (rotation) or the same one
    tenant: TenantContext  # the organization the new tokens act in
    held: frozenset[str] | None = None  # a sub-organization's: the user's scopes there


def new_grant_id() -> str:
    return secrets.token_hex(16)


class RefreshTokens:
    def __init__(self, db: Database, keys: tuple[bytes, ...], lookup: TokenLookup) -> None:
        self.db = db
        self.key = keys[0]
        self.lookup = lookup

    def _row(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        raw: str,
        *,
        user_id: str,
        scopes: tuple[str, ...],
        grant_id: str,
        expires_at: datetime,
        auth_time: datetime | None,
        sid: str | None,
    ) -> IssuedToken:
        return IssuedToken(
            token_hash=keyed_hash(self.key, raw),
            org_id=tenant.root_id,
            kind="refresh",
            format="opaque",
            jti=secrets.token_hex(16),
            grant_id=grant_id,
            application_id=client.application_id,
            client_id=client.client_id,
            secret_generation=client.secret_generation,
            subject=user_id,
            subject_type="user",
            scope=" ".join(scopes),
            audience=client.client_id,
            acting_org_id=tenant.org_id if tenant.org_id != tenant.root_id else None,
            issued_at=datetime.now(UTC).replace(microsecond=0),
            expires_at=expires_at,
            revoked=False,
            auth_time=auth_time,
            sid=sid,
        )

    async def issue(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        *,
        user_id: str,
        scopes: tuple[str, ...],
        grant_id: str,
        auth_time: datetime | None = None,
        sid: str | None = None,
    ) -> str:
        """A new refresh token for a user grant (password, authorization_code)."""
        raw = random_secret(32)
        expires = datetime.now(UTC).replace(microsecond=0)
        expires += timedelta(seconds=client.refresh_lifetime)
        row = self._row(
            tenant,
            client,
            raw,
            user_id=user_id,
            scopes=scopes,
            grant_id=grant_id,
            expires_at=expires,
            auth_time=auth_time or datetime.now(UTC),
            sid=sid,
        )
        async with self.db.write() as session:
            session.add(row)
        return raw

    async def redeem(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        raw: str,
        requested: tuple[str, ...],
        acting: ActingOrgCheck | None = None,
    ) -> RefreshGrant:
        """The grant of a valid refresh token, rotated when the app renews tokens;
        raise InvalidGrant otherwise (a rotated token's reuse revokes the grant), or
        InvalidScope (before rotating) when `requested` exceeds the grant. `acting`
        decides for tokens acting in a sub-organization (refused without it)."""
        found = await self.lookup.find(tenant, raw)
        outcome = _check(found, client)
        where: ActingOrg | None = None
        if outcome == "ok" and found is not None:
            outcome, where = await self._subject_outcome(tenant, found[0], acting)
        if outcome == "ok" and found is not None:
            # RFC 6749 §6: the scope must not include any scope not originally granted.
            if not set(requested) <= set(found[0].scope.split()):
                raise InvalidScope("The requested scope exceeds the original grant.")
            rotated = await self._rotate(tenant, client, found[0], raw, where)
            if rotated is not None:
                return rotated
            outcome = "reused"  # a concurrent redemption rotated it first
        if outcome == "reused" and found is not None:
            # RFC 6749 §10.4: a rotated token came back; end the whole grant.
            async with self.db.write() as session:
                await revoke_grant(session, self.db, tenant.root_id, found[0].grant_id)
        raise InvalidGrant(BAD_REFRESH, detail=f"refresh token refused: {outcome}")

    async def _subject_outcome(
        self, tenant: TenantContext, token: StoredToken, acting: ActingOrgCheck | None
    ) -> tuple[Outcome, ActingOrg | None]:
        if token.acting_org_id is None:
            return await self._user_outcome(tenant, token.subject), None
        where = await acting(tenant, token) if acting is not None else None
        return ("ok", where) if where is not None else ("organization", None)

    async def _user_outcome(self, tenant: TenantContext, user_id: str) -> Outcome:
        async with self.db.read() as session:
            user = await UserRepository(session, tenant=tenant).find(user_id)
        if user is None or not user.active or user.attributes.get(PENDING_INVITATION):
            return "user"
        return "ok"

    async def _rotate(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        token: StoredToken,
        presented: str,
        where: ActingOrg | None,
    ) -> RefreshGrant | None:
        """Consume the token and store its successor in one transaction (None: the token
        was consumed concurrently). Without renewRefreshToken the same token stays."""
        if where is not None:
            tenant = where[0]  # the successor acts in the same sub-organization
        raw = random_secret(32) if client.renew_refresh else presented
        expires = _successor_expiry(client, token)
        async with self.db.write() as session:
            stored = await session.get(IssuedToken, token.token_hash)
            if stored is None or stored.revoked:
                return None
            grant = _carried_grant(token, stored, raw, tenant, where)
            if not client.renew_refresh:
                return grant
            if not await _consume(session, token.token_hash):
                return None
            session.add(self._successor(tenant, client, grant, stored, expires))
        return grant

    def _successor(
        self,
        tenant: TenantContext,
        client: ClientRecord,
        grant: RefreshGrant,
        stored: IssuedToken,
        expires: datetime,
    ) -> IssuedToken:
        """The rotated token's row: same grant, scopes, sign-in time and session."""
        return self._row(
            tenant,
            client,
            grant.refresh_token,
            user_id=grant.user_id,
            scopes=grant.scopes,
            grant_id=grant.grant_id,
            expires_at=expires,
            auth_time=stored.auth_time,
            sid=stored.sid,
        )


def _successor_expiry(client: ClientRecord, token: StoredToken) -> datetime:
    """The grant's first expiry, unless the app extends it on every rotation."""
    if not client.extend_refresh:
        return aware(token.expires_at)
    expires = datetime.now(UTC).replace(microsecond=0)
    return expires + timedelta(seconds=client.refresh_lifetime)


def _carried_grant(
    token: StoredToken,
    stored: IssuedToken,
    raw: str,
    tenant: TenantContext,
    where: ActingOrg | None,
) -> RefreshGrant:
    """What the redeemed token carries on, with `raw` as the refresh token to return."""
    return RefreshGrant(
        user_id=token.subject,
        scopes=tuple(token.scope.split()),
        grant_id=token.grant_id,
        auth_time=aware(stored.auth_time) if stored.auth_time else None,
        sid=stored.sid,
        refresh_token=raw,
        tenant=tenant,
        held=where[1] if where is not None else None,
    )


async def _consume(session: AsyncSession, token_hash: str) -> bool:
    """Revoke the presented token unless it already is (False: a concurrent redemption
    consumed it first; only one of two racing redemptions gets a successor)."""
    consumed = await session.execute(
        update(IssuedToken)
        .where(IssuedToken.token_hash == token_hash, IssuedToken.revoked.is_(False))
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    rows: int = consumed.rowcount  # type: ignore[attr-defined]
    return rows == 1


def _check(found: TokenRow | None, client: ClientRecord) -> Outcome:
    if found is None or found[0].kind != "refresh":
        return "unknown"
    token, app_state, generation = found
    if not secrets.compare_digest(token.client_id.encode(), client.client_id.encode()):
        return "other_client"  # RFC 6749 §6: only the client it was issued to
    if app_state != "ACTIVE" or generation != token.secret_generation:
        return "application"  # deleted or disabled app, or a regenerated secret
    if token.revoked:
        return "reused"
    if aware(token.expires_at) <= datetime.now(UTC):
        return "expired"
    return "ok"
