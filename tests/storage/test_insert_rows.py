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
