"""The change counters: writes that affect cached data bump one in the same transaction;
every worker polls them (a few rows) and drops its caches when one moves. The session
remembers what it bumped, so the worker that commits clears its own caches at once
(`Database.commit_listeners`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.db import CHANGED
from runegate.storage.models.system import ChangeVersion

CONFIG = "config"
# Roles, role assignments and group memberships: the scopes a user's roles grant.
ROLES = "roles"


async def bump(session: AsyncSession, name: str = CONFIG) -> None:
    """Increment the counter (an upsert, so a missing row never races)."""
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    stmt = insert(ChangeVersion).values(name=name, version=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ChangeVersion.name], set_={"version": ChangeVersion.version + 1}
    )
    await session.execute(stmt)
    session.info.setdefault(CHANGED, set()).add(name)


async def current(session: AsyncSession, name: str = CONFIG) -> int:
    value = await session.scalar(select(ChangeVersion.version).where(ChangeVersion.name == name))
    return int(value or 0)


async def versions(session: AsyncSession) -> dict[str, int]:
    """Every counter, by name."""
    rows = await session.execute(select(ChangeVersion.name, ChangeVersion.version))
    return {name: int(version) for name, version in rows.all()}
