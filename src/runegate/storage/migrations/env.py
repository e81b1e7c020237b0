"""Alembic environment: runs migrations through the async engine of the configured URL."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from runegate.storage.db import create_engine
from runegate.storage.models import Base

MIGRATION_LOCK = 0x52554E4D  # "RUNM"
config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Several nodes may migrate at once: one holds the lock, the others wait and
            # then find the schema at head (SQLite: BEGIN IMMEDIATE serializes them).
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.run_migrations()


async def _run_async() -> None:
    url = config.get_main_option("runegate.database_url")
    assert url, "runegate.database_url is not set"
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.execution_options(runegate_write=True).connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `runegate migrate`")
asyncio.run(_run_async())
