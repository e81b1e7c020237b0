"""In-process caches with one invalidation rule for every worker and node.

Cached: organizations, client records, authorizations, keys. A write that changes them
bumps the change counter in its transaction and clears the local caches at once; every
other worker polls the counter (`poll_interval`, default 0.2 s) and clears its caches
when the counter moves, so a change is seen everywhere within one second. With Redis
configured (`runegate.redis_link`), the committing worker also publishes the change and
every subscribed worker drops its caches at once; the counter stays the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from collections.abc import Hashable
from typing import Any
from typing import Generic
from typing import TypeVar

from runegate.storage import changes
from runegate.storage.db import Database

log = logging.getLogger("runegate.cache")
V = TypeVar("V")
POLL_INTERVAL = 0.2


class Cache(Generic[V]):
    """A bounded dict; cleared wholesale on any configuration change."""

    def __init__(self, registry: CacheRegistry, name: str, max_entries: int = 10_000) -> None:
        self.name = name
        self.max_entries = max_entries
        self._data: dict[Hashable, V] = {}
        registry.register(self)

    def get(self, key: Hashable) -> V | None:
        return self._data.get(key)

    def set(self, key: Hashable, value: V) -> None:
        if len(self._data) >= self.max_entries:
            self._data.clear()
        self._data[key] = value

    def clear(self) -> None:
        self._data.clear()


class CacheRegistry:
    def __init__(self) -> None:
        self._caches: list[Cache[Any]] = []
        self.version = -1
        self._task: asyncio.Task[None] | None = None
        # Set by runegate.redis_link when RUNEGATE_REDIS_URL is configured.
        self.on_change: Callable[[], None] | None = None

    def register(self, cache: Cache[Any]) -> None:
        self._caches.append(cache)

    def invalidate(self) -> None:
        """Drop this worker's caches."""
        for cache in self._caches:
            cache.clear()

    def changed(self) -> None:
        """After committing a change that bumped the counter: drop this worker's caches
        and tell the others at once when a notifier (Redis pub/sub) is attached."""
        self.invalidate()
        if self.on_change is not None:
            self.on_change()

    async def refresh(self, db: Database) -> None:
        """Compare the shared counter with ours; clear everything when it moved."""
        async with db.read() as session:
            version = await changes.current(session)
        if version != self.version:
            self.invalidate()
            self.version = version

    def start(self, db: Database, interval: float = POLL_INTERVAL) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._poll(db, interval))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _poll(self, db: Database, interval: float) -> None:
        while True:
            try:
                await self.refresh(db)
            except Exception as exc:  # the database may be briefly down: keep polling
                log.warning("change poll failed: %s", type(exc).__name__)
                self.invalidate()
            await asyncio.sleep(interval)
