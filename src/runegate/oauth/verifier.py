"""Bearer token verification for every protected route (`AppState.token_verifier`).

Implements: RFC 6750 §3.1 (`invalid_token` for expired, revoked or malformed tokens),
RFC 9068 §4 (JWT access tokens: signature, `typ`, issuer, expiry).
A token is invalid when it is unknown, expired, revoked (checked in the database on every
verification), of another organization, or of an application that is not ACTIVE or whose
`secret_generation` moved on (regenerate-secret invalidates older tokens).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any
from typing import NamedTuple
from typing import Protocol

from sqlalchemy import String
from sqlalchemy import any_
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import ARRAY

from runegate.crypto.hashing import keyed_hash
from runegate.errors import InvalidToken
from runegate.http.auth import AccessToken
from runegate.storage.db import Database
from runegate.storage.models.application import Application
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.tenancy.context import TenantContext

MAX_TOKEN_LENGTH = 8192
# Lookups by hash of concurrent requests answered by one query (HashReader).
MAX_READ_BATCH = 128

_TOKENS = IssuedToken.__table__
_APPS = Application.__table__
_REVOKED = RevokedJti.__table__


class StoredToken(NamedTuple):
    """One `issued_token` row as plain values (no ORM instance), in column order."""

    token_hash: str
    org_id: str
    kind: str
    format: str
    jti: str
    grant_id: str
    application_id: str
    client_id: str
    secret_generation: int
    subject: str
    subject_type: str
    scope: str
    audience: str
    acting_org_id: str | None
    issued_at: datetime
    expires_at: datetime
    revoked: bool


# (token row, application state, application secret_generation)
TokenRow = tuple[StoredToken, str, int]

_TOKEN_COLUMNS = tuple(_TOKENS.c[name] for name in StoredToken._fields)
_BASE = select(*_TOKEN_COLUMNS, _APPS.c.state, _APPS.c.secret_generation).join_from(
    _TOKENS, _APPS, _APPS.c.id == _TOKENS.c.application_id
)
# Built once (one cached compiled form each). HashReader batches: one array parameter on
# PostgreSQL, one JSON array (`json_each`, still a primary-key search per hash) on SQLite,
# so that each is one SQL text whatever the batch size.
BY_HASHES_PG = _BASE.where(_TOKENS.c.token_hash == any_(bindparam("hs", type_=ARRAY(String))))
_JSON_HASHES = func.json_each(bindparam("hs", type_=String)).table_valued("value")
BY_HASHES_SQLITE = _BASE.where(_TOKENS.c.token_hash.in_(select(_JSON_HASHES.c.value)))
BY_JTI = _BASE.where(
    _TOKENS.c.jti == bindparam("j"),
    _TOKENS.c.format == "jwt",
    _TOKENS.c.org_id == bindparam("o"),
    ~exists().where(_REVOKED.c.jti == bindparam("j")),
)


def _to_row(found: Any) -> TokenRow:
    return (StoredToken(*found[:17]), found[17], found[18])


class HashReader:
    """Group read: the lookups by token hash of concurrent requests share one query.

    The counterpart of the token writer's group commit. A lookup waits for the next
    query that starts after it was asked for, so every answer is read after the request
    arrived (a revocation committed before it is seen, as with one query per request),
    but a busy worker sends one `token_hash IN (...)` for many requests instead of one
    round trip each. Rows are matched to their organization by the caller.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statement = BY_HASHES_SQLITE if db.is_sqlite else BY_HASHES_PG
        self.param: Callable[[list[str]], Any] = json.dumps if db.is_sqlite else list
        self._pending: dict[str, list[asyncio.Future[Any]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def get(self, token_hash: str) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(token_hash, []).append(future)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._pending:
            hashes = list(self._pending)[:MAX_READ_BATCH]
            batch = {h: self._pending.pop(h) for h in hashes}
            try:
                rows = await self.db.read_rows(self.statement, {"hs": self.param(hashes)})
            except Exception as exc:
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(exc)
                continue
            found = {row[0]: row for row in rows}
            for token_hash, futures in batch.items():
                for future in futures:
                    if not future.done():
                        future.set_result(found.get(token_hash))


class JwtReader(Protocol):
    """Checks a JWT access token's signature and claims; returns its `jti`."""

    async def read_jti(self, tenant: TenantContext, raw: str) -> str: ...


def looks_like_jwt(raw: str) -> bool:
    return raw.count(".") == 2


class TokenLookup:
    """Finds the stored row of a token (by keyed hash, or by `jti` for JWTs).

    Core statements on an autocommit connection: no ORM session, no BEGIN/ROLLBACK. The
    database is asked on every call (lookups by hash of concurrent calls share one query,
    HashReader), so a revocation takes effect at once.
    """

    def __init__(self, db: Database, keys: tuple[bytes, ...], jwt: JwtReader | None) -> None:
        self.db = db
        self.keys = keys
        self.jwt = jwt
        self.reader = HashReader(db)

    async def find(self, tenant: TenantContext, raw: str) -> TokenRow | None:
        """The token row joined with its application's state, or None."""
        if not raw or len(raw) > MAX_TOKEN_LENGTH:
            return None
        if looks_like_jwt(raw):
            return await self._find_jwt(tenant, raw)
        # Newest server key first; older keys only on a miss (key rotation).
        for key in self.keys:
            found = await self.reader.get(keyed_hash(key, raw))
            if found is not None:
                # Another organization's token is no token here (STYLE §3).
                return _to_row(found) if found[1] == tenant.root_id else None
        return None

    async def _find_jwt(self, tenant: TenantContext, raw: str) -> TokenRow | None:
        if self.jwt is None:
            return None
        try:
            jti = await self.jwt.read_jti(tenant, raw)
        except InvalidToken:
            return None
        async with self.db.autocommit() as conn:
            found = (await conn.execute(BY_JTI, {"j": jti, "o": tenant.root_id})).first()
        return None if found is None else _to_row(found)


def check_row(
    row: TokenRow | None, tenant: TenantContext, kinds: tuple[str, ...] = ("access",)
) -> StoredToken:
    """The token's row if the token is currently valid in `tenant`, else InvalidToken."""
    if row is None:
        raise InvalidToken()
    token = row[0]
    now = datetime.now(UTC)
    expires = token.expires_at
    if expires.tzinfo is None:  # SQLite returns naive UTC datetimes
        expires = expires.replace(tzinfo=UTC)
    if (
        token.org_id != tenant.root_id
        or token.kind not in kinds
        or token.revoked
        or expires <= now
        or row[1] != "ACTIVE"
        or row[2] != token.secret_generation
    ):
        raise InvalidToken()
    return token


def utc_timestamp(value: datetime) -> int:
    if value.tzinfo is None:  # SQLite returns naive UTC datetimes
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def to_access_token(token: StoredToken) -> AccessToken:
    expires = token.expires_at
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    return AccessToken(
        jti=token.jti,
        client_id=token.client_id,
        application_id=token.application_id,
        subject=token.subject,
        subject_type=token.subject_type,
        scopes=frozenset(token.scope.split()),
        org_id=token.acting_org_id or token.org_id,
        root_id=token.org_id,
        audience=tuple(token.audience.split()),
        expires_at=expires,
        user_id=token.subject if token.subject_type == "user" else None,
    )


class AccessTokenVerifier:
    """The real `TokenVerifier`: one indexed query per verification."""

    def __init__(self, lookup: TokenLookup) -> None:
        self.lookup = lookup

    async def verify(self, tenant: TenantContext, raw_token: str) -> AccessToken:
        row = await self.lookup.find(tenant, raw_token)
        return to_access_token(check_row(row, tenant))
