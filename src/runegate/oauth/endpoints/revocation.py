"""The revocation endpoint.

Implements: RFC 7009 §2.1 (the client authenticates, or a public client names itself
with `client_id`; a client revokes only its own tokens; revoking a refresh token revokes
the access tokens of its grant, revoking an access token leaves the refresh token),
§2.2 (200 also for unknown or invalid tokens), §2.2.1 (`unsupported_token_type`).
A revoked JWT's `jti` goes on a deny-list kept until the token would have expired.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import InvalidRequest
from runegate.errors import UnsupportedTokenType
from runegate.oauth.client_auth import ClientAuthenticator
from runegate.oauth.request import OAuthRequest
from runegate.oauth.verifier import StoredToken
from runegate.oauth.verifier import TokenLookup
from runegate.storage.db import Database
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti

TOKEN_TYPE_HINTS = frozenset({"access_token", "refresh_token"})


async def revoke(
    req: OAuthRequest, authenticator: ClientAuthenticator, lookup: TokenLookup
) -> None:
    client = await authenticator.authenticate(req)
    raw = req.params.get("token")
    if raw is None:
        raise InvalidRequest("The token parameter is missing.")
    hint = req.params.get("token_type_hint")
    if hint is not None and hint not in TOKEN_TYPE_HINTS:
        raise UnsupportedTokenType("The token_type_hint is not supported.")
    row = await lookup.find(req.tenant, raw)
    if row is None or row[0].client_id != client.record.client_id:
        return  # RFC 7009 §2.2: unknown tokens (and other clients' tokens) answer 200
    await revoke_token(lookup.db, row[0])


async def revoke_token(db: Database, token: StoredToken) -> None:
    async with db.write() as session:
        if token.kind == "refresh":
            # RFC 7009 §2.1: the refresh token and the access tokens of its grant.
            await revoke_grant(session, db, token.org_id, token.grant_id)
            return
        stmt = update(IssuedToken).where(
            IssuedToken.org_id == token.org_id, IssuedToken.token_hash == token.token_hash
        )
        await session.execute(stmt.values(revoked=True))
        if token.format == "jwt":
            await deny_jti(session, db, token)


async def revoke_grant(session: AsyncSession, db: Database, org_id: str, grant_id: str) -> None:
    """Revoke every token of one grant; JWT access tokens go on the deny-list."""
    stmt = update(IssuedToken).where(IssuedToken.org_id == org_id, IssuedToken.grant_id == grant_id)
    await session.execute(stmt.values(revoked=True))
    granted = select(IssuedToken).where(
        IssuedToken.org_id == org_id,
        IssuedToken.grant_id == grant_id,
        IssuedToken.format == "jwt",
    )
    for jwt_token in (await session.execute(granted)).scalars():
        await deny_jti(session, db, jwt_token)


async def deny_jti(session: AsyncSession, db: Database, token: IssuedToken | StoredToken) -> None:
    values = {"jti": token.jti, "org_id": token.org_id, "expires_at": token.expires_at}
    dialect = sqlite if db.is_sqlite else postgresql
    stmt = dialect.insert(RevokedJti).values(**values).on_conflict_do_nothing()
    await session.execute(stmt)
