"""Storage behaviour on every backend: migrations match the models, concurrent writers
never lose updates, failed units of work leave nothing behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from runegate.errors import Conflict
from runegate.storage import changes
from runegate.storage.db import Database
from runegate.storage.models import Base
from runegate.storage.models.user import User
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.service import provision_org
from tests.conftest import _sqlite_url as sqlite_url


async def test_migrations_match_models(db: Database) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        return compare_metadata(context, Base.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_concurrent_writers_do_not_lose_updates(db: Database) -> None:
    async with db.read() as s:
        before = await changes.current(s)

    async def bump() -> None:
        async with db.write() as s:
            await changes.bump(s)

    await asyncio.gather(*(bump() for _ in range(40)))
    async with db.read() as s:
        assert await changes.current(s) == before + 40


async def test_concurrent_read_modify_write_is_serialized(db: Database) -> None:
    """Read-then-write in one write unit: immediate transactions serialize them."""
    async with db.write() as s:
        tenant = (await provision_org(s, "counter", base_url="http://x")).tenant
        user = await UserRepository(s, tenant=tenant).add(User(user_name="c", attributes={}))

    async def increment() -> None:
        async with db.write() as s:
            if not db.is_sqlite:
                await db.lock(s, 42)
            row = await UserRepository(s, tenant=tenant).get(user.id)
            row.version = row.version + 1

    await asyncio.gather(*(increment() for _ in range(25)))
    async with db.read() as s:
        assert (await UserRepository(s, tenant=tenant).get(user.id)).version == 26


async def test_failed_unit_of_work_leaves_nothing(db: Database) -> None:
    async with db.write() as s:
        tenant = (await provision_org(s, "atomic", base_url="http://x")).tenant
    with pytest.raises(Conflict):
        async with db.write() as s:
            repo = UserRepository(s, tenant=tenant)
            await repo.add(User(user_name="first"))
            await repo.add(User(user_name="first"))  # duplicate: the whole unit fails
    async with db.read() as s:
        rows = await s.execute(select(User.user_name).where(User.org_id == tenant.org_id))
        assert "first" not in [r[0] for r in rows]


async def test_sqlite_pragmas_are_durable(db: Database, backend: str) -> None:
    if backend != "sqlite":
        async with db.engine.connect() as conn:
            value = (await conn.exec_driver_sql("SHOW synchronous_commit")).scalar()
        assert value == "on"
        return
    async with db.engine.connect() as conn:
        mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        sync = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar()
        busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert (mode, sync, busy) == ("wal", 2, 30000)


async def test_sqlite_writers_of_two_engines_queue_on_the_file_lock(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Two Database objects (as two workers) on one SQLite file: a writer waiting for the
    other's transaction wakes when it commits; a waiter that gives up (cancelled) does not
    leave the lock held. SQLite only: the write gate is SQLite's (not parametrized)."""
    database_url = await sqlite_url(tmp_path, tmp_path_factory.getbasetemp())
    first, second = Database(database_url), Database(database_url)
    try:
        async with first.read() as s:
            before = await changes.current(s)
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold() -> None:
            async with first.write() as s:
                await changes.bump(s)
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()

        async def bump_second() -> None:
            async with second.write() as s:
                await changes.bump(s)

        gave_up = asyncio.create_task(bump_second())
        waiting = asyncio.create_task(bump_second())
        await asyncio.sleep(0.05)
        assert not gave_up.done() and not waiting.done()  # both wait for the first writer
        gave_up.cancel()
        release.set()
        await holder
        await asyncio.wait_for(waiting, 10)
        async with first.write() as s:  # the cancelled waiter left nothing held
            await changes.bump(s)
        async with first.read() as s:
            assert await changes.current(s) == before + 3  # the cancelled one wrote nothing
    finally:
        await first.dispose()
        await second.dispose()
