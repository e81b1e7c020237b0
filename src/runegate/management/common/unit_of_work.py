"""Units of work for management writes.

Every write that changes applications, authorizations, API resources or scopes bumps
the change counter in its transaction (`storage.changes.bump`), so every worker drops
its caches within a second, and clears this worker's caches right after the commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.state import AppState
from runegate.storage import changes


@asynccontextmanager
async def config_write(state: AppState) -> AsyncIterator[AsyncSession]:
    async with state.db.write() as session:
        yield session
        await changes.bump(session)
    state.caches.changed()
