"""Database.read_rows, the token lookups' group read: on a SQLite file through the reader
threads (storage/sqlite_reader.py), elsewhere through the engine; the same rows either way."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import update
from sqlalchemy.exc import StatementError

from runegate.oauth.verifier import BY_HASHES_PG
from runegate.oauth.verifier import BY_HASHES_SQLITE
from runegate.oauth.writer import TABLE
from runegate.storage.db import Database
from runegate.storage.models.application import Application
from runegate.storage.models.token import IssuedToken
from tests.storage.test_insert_rows import org
from tests.storage.test_insert_rows import row


async def _app(db: Database, org_id: str) -> str:
    async with db.write() as s:
        app = Application(org_id=org_id, name="reader-app", client_id="reader-client")
        s.add(app)
        await s.flush()
        return app.id


def _statement(db: Database) -> tuple[object, object]:
    if db.is_sqlite:
        return BY_HASHES_SQLITE, json.dumps
    return BY_HASHES_PG, list


async def test_rows_match_the_engine_and_see_every_commit(db: Database) -> None:
    org_id = await org(db)
    app_id = await _app(db, org_id)
    rows = [row(org_id, n, application_id=app_id, scope="s1 s2") for n in range(3)]
    await db.insert_rows(TABLE, rows)
    statement, param = _statement(db)
    hashes = [r["token_hash"] for r in rows] + ["f" * 64]  # one unknown hash
    fast = await db.read_rows(statement, {"hs": param(hashes)})  # type: ignore[arg-type,operator]
    async with db.autocommit() as conn:
        slow = (await conn.execute(statement, {"hs": param(hashes)})).all()  # type: ignore[arg-type,operator]
    assert sorted(map(tuple, fast)) == sorted(map(tuple, slow))
    assert len(fast) == 3
    first = next(r for r in fast if r[0] == rows[0]["token_hash"])
    expires = rows[0]["expires_at"]
    assert first[15].replace(tzinfo=None) == expires.replace(tzinfo=None)  # stored as UTC
    assert first[16] is False  # booleans come back as booleans
    async with db.write() as s:  # a revocation committed before the read is seen by it
        stmt = update(IssuedToken).where(IssuedToken.token_hash == rows[0]["token_hash"])
        await s.execute(stmt.values(revoked=True))
    again = await db.read_rows(statement, {"hs": param(hashes[:1])})  # type: ignore[arg-type,operator]
    assert [r[16] for r in again] == [True]


async def test_a_failing_read_raises_the_engines_exception_class(db: Database) -> None:
    statement, _param = _statement(db)
    bad = "not a JSON array" if db.is_sqlite else 12345  # not JSON / not an array
    with pytest.raises(StatementError):  # DBAPIError, or a bind failure
        await db.read_rows(statement, {"hs": bad})  # type: ignore[arg-type]
