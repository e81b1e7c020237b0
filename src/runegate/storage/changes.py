"""The change counter: writes that affect cached data bump it in the same transaction;
every worker polls it (one indexed row) and drops its caches when it moves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.system import ChangeVersion

CONFIG = "config"


async def bump(session: AsyncSession, name: str = CONFIG) -> None:
    """Increment the counter (an upsert, so a missing row never races)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    stmt = insert(ChangeVersion).values(name=name, version=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ChangeVersion.name], set_={"version": ChangeVersion.version + 1}
    )
    await session.execute(stmt)


async def current(session: AsyncSession, name: str = CONFIG) -> int:
    value = await session.scalar(select(ChangeVersion.version).where(ChangeVersion.name == name))
    return int(value or 0)
