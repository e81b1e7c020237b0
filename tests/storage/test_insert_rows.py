"""Database.insert_rows, the token writer's group commit: one atomic, durable batch."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from runegate.oauth.writer import TABLE
from runegate.oauth.writer import TokenWriter
from runegate.oauth.writer import complete
from runegate.storage.db import Database
from runegate.storage.models.token import IssuedToken
from runegate.tenancy.service import provision_org


def row(org_id: str, n: int, **extra: object) -> dict[str, object]:
    now = datetime.now(UTC)
    return complete(
        {
            "token_hash": f"{n:064x}",
            "org_id": org_id,
            "kind": "access",
            "jti": f"jti-{n}",
            "grant_id": f"grant-{n}",
            "application_id": "app",
            "client_id": "client",
            "subject": "client",
            "issued_at": now,
            "expires_at": now + timedelta(hours=1),
            **extra,
        }
    )


async def org(db: Database) -> str:
    async with db.write() as s:
        return (await provision_org(s, "writer", base_url="http://x")).tenant.org_id


async def count(db: Database, org_id: str) -> int:
    async with db.read() as s:
        query = select(func.count()).select_from(IssuedToken).where(IssuedToken.org_id == org_id)
        return int((await s.execute(query)).scalar_one())


async def test_a_batch_is_stored_with_column_defaults(db: Database) -> None:
    org_id = await org(db)
    await db.insert_rows(TABLE, [row(org_id, n) for n in range(40)])
    assert await count(db, org_id) == 40
    async with db.read() as s:
        query = select(IssuedToken).where(IssuedToken.jti == "jti-7")
        stored = (await s.execute(query)).scalar_one()
    assert (stored.format, stored.subject_type, stored.revoked, stored.scope) == (
        "opaque",
        "application",
        False,
        "",
    )
    assert stored.expires_at > stored.issued_at


async def test_a_failing_row_fails_the_whole_batch(db: Database) -> None:
    org_id = await org(db)
    await db.insert_rows(TABLE, [row(org_id, 1)])
    with pytest.raises(IntegrityError):  # row 1 again: a duplicate primary key
        await db.insert_rows(TABLE, [row(org_id, n) for n in (2, 3, 1, 4)])
    assert await count(db, org_id) == 1  # 2, 3 and 4 were not stored either


async def test_concurrent_requests_share_commits_and_each_waits_for_its_own(db: Database) -> None:
    org_id = await org(db)
    writer = TokenWriter(db)
    await asyncio.gather(*(writer.store(row(org_id, n)) for n in range(100)))
    assert await count(db, org_id) == 100  # every store() returned after its row committed


async def test_unknown_columns_are_refused_before_anything_is_written(db: Database) -> None:
    with pytest.raises(ValueError, match="no column"):
        complete({"token_hash": "x", "colour": "blue"})


async def test_a_batched_row_reads_back_like_one_the_orm_wrote(db: Database) -> None:
    """On SQLite the batch bypasses the engine (storage/sqlite_batch.py): every column,
    datetimes with microseconds included, must read back as through the ORM."""
    org_id = await org(db)
    issued = datetime(2026, 11, 28, 15, 4, 5, 123456, tzinfo=UTC)
    shared = {"issued_at": issued, "expires_at": issued + timedelta(seconds=3600)}
    extra = {"scope": "a b", "audience": "api", "sid": "session-1", **shared}
    await db.insert_rows(TABLE, [row(org_id, 1, **extra)])
    async with db.write() as s:
        s.add(IssuedToken(**row(org_id, 2, **extra)))
    async with db.read() as s:
        found = (await s.execute(select(IssuedToken).order_by(IssuedToken.jti))).scalars().all()
    batched, orm = (
        {c.name: getattr(t, c.name) for c in TABLE.columns if c.name not in ("token_hash",)}
        for t in found
    )
    differing = {k for k in batched if batched[k] != orm[k]}
    assert differing == {"jti", "grant_id"}
    assert batched["issued_at"].replace(tzinfo=UTC) == issued


async def test_two_processes_writers_take_turns_on_one_database(
    db: Database, database_url: str
) -> None:
    """Two Database objects stand for two worker processes: on SQLite each has its own
    lock-file descriptor, so the cross-process gate (flock) really is contended."""
    org_id = await org(db)
    other = Database(database_url, pool_size=5)
    try:
        writers = (TokenWriter(db), TokenWriter(other))
        stores = [writers[n % 2].store(row(org_id, n)) for n in range(300)]

        async def orm_write(n: int) -> None:
            async with other.write() as s:
                s.add(IssuedToken(**row(org_id, 1000 + n)))

        await asyncio.gather(*stores, *(orm_write(n) for n in range(20)))
    finally:
        await other.dispose()
    assert await count(db, org_id) == 320
