"""Optional Redis (`RUNEGATE_REDIS_URL`, CONTRACT §2): a shared link for every node.

Redis is never required: the database stays the source of truth and the change counter
(`runegate.cache`) the fallback for cache invalidation. Each worker keeps one `RedisLink`:

- cache invalidation over pub/sub: a worker that commits a configuration change publishes
  on `CHANNEL` and every subscribed worker drops its caches at once, instead of at its
  next poll of the change counter;
- `available` tells other users (shared rate-limit counters, issue 14) whether to use
  `client` or fall back to per-process state.

Short socket timeouts and one immediate retry (a pooled connection may predate a Redis
restart): a stopped or unreachable Redis costs a request nothing (publishing runs in the
background), and a background task reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from runegate.cache import CacheRegistry

log = logging.getLogger("runegate.redis")
CHANNEL = "runegate:cache-invalidate"
SOCKET_TIMEOUT_S = 0.5
HEALTH_CHECK_INTERVAL_S = 2  # a silent (partitioned) Redis is noticed by a failed PING
RECONNECT_MIN_S = 0.2
RECONNECT_MAX_S = 5.0


class RedisLink:
    """One worker's connection pool to Redis plus the invalidation subscriber."""

    def __init__(self, url: str, caches: CacheRegistry) -> None:
        self.client: Redis = Redis.from_url(
            url,
            socket_timeout=SOCKET_TIMEOUT_S,
            socket_connect_timeout=SOCKET_TIMEOUT_S,
            health_check_interval=HEALTH_CHECK_INTERVAL_S,
            retry=Retry(NoBackoff(), 1),  # once: a pooled connection may predate a restart
        )
        self.available = False
        self._caches = caches
        self._sender = uuid.uuid4().hex.encode()  # this worker's own messages are skipped
        self._listener: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Subscribe in the background and hook publishing into the cache registry."""
        self._caches.on_change = self.publish_change
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        self._caches.on_change = None
        tasks = [t for t in (self._listener, *self._pending) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._listener = None
        with contextlib.suppress(RedisError, OSError):
            await self.client.aclose()

    def publish_change(self) -> None:
        """Tell the other workers and nodes to drop their caches (fire and forget)."""
        if not self.available:
            return  # they poll the change counter; nothing to wait for
        task = asyncio.create_task(self._publish())
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _publish(self) -> None:
        try:
            await self.client.publish(CHANNEL, self._sender)
        except (RedisError, OSError) as exc:  # the subscriber notices a lost Redis
            log.debug("cache invalidation not published: %s", type(exc).__name__)

    def _lost(self, exc: BaseException) -> None:
        if self.available:
            log.warning("redis unavailable (%s): serving from the database", type(exc).__name__)
        self.available = False

    async def _listen(self) -> None:
        delay = RECONNECT_MIN_S
        while True:
            pubsub = self.client.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                if not self.available:
                    log.info("redis connected: cache invalidation over pub/sub")
                self.available = True
                delay = RECONNECT_MIN_S
                self._caches.invalidate()  # whatever was published while away
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1)
                    if message is not None and _sender_of(message) != self._sender:
                        self._caches.invalidate()
            except (RedisError, OSError) as exc:
                self._lost(exc)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_S)


def _sender_of(message: dict[str, Any]) -> bytes | None:
    data = message.get("data")
    return data if isinstance(data, bytes) else None
