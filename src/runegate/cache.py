"""In-process caches with one invalidation rule for every worker and node.

Cached: organizations, client records, authorizations, keys, and the scopes a user's
roles grant. A write that changes them bumps a change counter in its transaction and
clears the local caches once it commits; every other worker polls the counters
(`poll_interval`, default 0.2 s) and clears its caches when one moves, so a change is
seen everywhere within one second. With Redis configured (`runegate.redis_link`), the
committing worker also publishes the change and every subscribed worker drops its
caches at once; the counters stay the fallback.

Counters are channels: `config` (configuration; clears every cache) and `roles` (roles
and group memberships; clears only the caches registered on it), so SCIM provisioning
does not flush the client and key caches. A value read while its cache was cleared is
not stored (`Cache.set(..., generation=)`), so a read racing a change cannot keep a
stale entry.
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

    def __init__(
        self,
        registry: CacheRegistry,
        name: str,
        max_entries: int = 10_000,
        channel: str = changes.CONFIG,
    ) -> None:
        self.name = name
        self.max_entries = max_entries
        self.channel = channel
        self.generation = 0  # moves on every clear
        self._data: dict[Hashable, V] = {}
        registry.register(self)

    def get(self, key: Hashable) -> V | None:
        return self._data.get(key)

    def set(self, key: Hashable, value: V, generation: int | None = None) -> None:
        """Store `value`; with `generation` (read before loading it), only if the cache
        was not cleared meanwhile."""
        if generation is not None and generation != self.generation:
            return
        if len(self._data) >= self.max_entries:
            self.clear()
        self._data[key] = value

    def clear(self) -> None:
        self._data.clear()
        self.generation += 1


class CacheRegistry:
    def __init__(self) -> None:
        self._caches: list[Cache[Any]] = []
        self.versions: dict[str, int] | None = None  # None: nothing read yet
        self._task: asyncio.Task[None] | None = None
        self._db: Database | None = None
        # Set by runegate.redis_link when RUNEGATE_REDIS_URL is configured.
        self.on_change: Callable[[], None] | None = None

    def register(self, cache: Cache[Any]) -> None:
        self._caches.append(cache)

    def invalidate(self, channel: str = changes.CONFIG) -> None:
        """Drop this worker's caches of `channel`; a `config` change drops them all."""
        for cache in self._caches:
            if channel == changes.CONFIG or cache.channel == channel:
                cache.clear()

    def committed(self, channels: frozenset[str]) -> None:
        """This worker committed changes: clear their caches now, before the next poll,
        and tell the others through the notifier (configuration writes call `changed`)."""
        for channel in sorted(channels):
            self.invalidate(channel)
        if self.on_change is not None and channels - {changes.CONFIG}:
            self.on_change()

    def polled(self, channels: frozenset[str]) -> None:
        for channel in sorted(channels):
            self.invalidate(channel)

    def changed(self) -> None:
        """After committing a change that bumped the counter: drop this worker's caches
        and tell the others at once when a notifier (Redis pub/sub) is attached."""
        self.invalidate()
        if self.on_change is not None:
            self.on_change()

    async def refresh(self, db: Database) -> None:
        """Compare the shared counters with ours; clear the caches of those that moved."""
        async with db.read() as session:
            versions = await changes.versions(session)
        if self.versions is None:
            self.invalidate()
        elif versions != self.versions:
            names = versions.keys() | self.versions.keys()
            self.polled(frozenset(n for n in names if versions.get(n) != self.versions.get(n)))
        self.versions = versions

    def start(self, db: Database, interval: float = POLL_INTERVAL) -> None:
        if self._db is None:
            db.commit_listeners.append(self.committed)
            self._db = db
        if self._task is None:
            self._task = asyncio.create_task(self._poll(db, interval))

    async def stop(self) -> None:
        if self._db is not None:
            self._db.commit_listeners.remove(self.committed)
            self._db = None
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
