"""Counters shared across workers and nodes through Redis, off the request path.

Each request is decided by the local token bucket at once. With Redis available, the
limiter also counts hits per key locally and a background task adds them to per-minute
Redis counters (`INCRBY` + `EXPIRE`, one pipeline a second); a key whose deployment-wide
count passes its limit is refused on every node until the minute ends. Redis down: local
buckets only, never an error or a delay.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from runegate.periodic import Periodic

if TYPE_CHECKING:
    from runegate.redis_link import RedisLink

log = logging.getLogger("runegate.ratelimit")
FLUSH_INTERVAL_S = 1.0
WINDOW_S = 60


class SharedCounters:
    def __init__(self, link: Callable[[], RedisLink | None]) -> None:
        self._link = link
        self._pending: dict[str, tuple[int, int]] = {}  # key -> (hits, per-minute limit)
        self._blocked: dict[str, float] = {}  # key -> epoch second the block ends
        self.sync = Periodic(self.flush, FLUSH_INTERVAL_S, log, "rate-limit counter sync")

    def active(self) -> bool:
        link = self._link()
        return link is not None and link.available

    def hit(self, key: str, per_minute: int, now: float) -> float:
        """Count a hit; seconds to wait when the deployment-wide count is over."""
        until = self._blocked.get(key)
        if until is not None:
            if until > now:
                return until - now
            del self._blocked[key]
        hits, _ = self._pending.get(key, (0, per_minute))
        self._pending[key] = (hits + 1, per_minute)
        return 0.0

    async def flush(self) -> None:
        link = self._link()
        pending, self._pending = self._pending, {}
        if not pending or link is None or not link.available:
            return
        now = time.time()
        window = int(now // WINDOW_S)
        pipe = link.client.pipeline(transaction=False)
        for key, (hits, _limit) in pending.items():
            pipe.incrby(f"runegate:rl:{key}:{window}", hits)
            pipe.expire(f"runegate:rl:{key}:{window}", 2 * WINDOW_S)
        results = await pipe.execute()
        window_end = (window + 1) * WINDOW_S
        self._blocked = {k: until for k, until in self._blocked.items() if until > now}
        for (key, (_hits, limit)), count in zip(pending.items(), results[::2], strict=True):
            if int(count) > limit:
                self._blocked[key] = window_end
