"""The change counter: writes that affect cached data bump it in the same transaction;
every worker polls it (one indexed row) and drops its caches when it moves."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.system import ChangeVersion

CONFIG = "config"


async def bump(session: AsyncSession, name: str = CONFIG) -> None:
    result = await session.execute(
        update(ChangeVersion)
        .where(ChangeVersion.name == name)
        .values(version=ChangeVersion.version + 1)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        session.add(ChangeVersion(name=name, version=1))
        await session.flush()


async def current(session: AsyncSession, name: str = CONFIG) -> int:
    value = await session.scalar(select(ChangeVersion.version).where(ChangeVersion.name == name))
    return int(value or 0)
