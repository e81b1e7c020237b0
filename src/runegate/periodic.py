"""A background task that runs one coroutine every `interval` seconds until stopped;
a failing run is logged (its exception type only) and the next run still happens."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from collections.abc import Callable


class Periodic:
    def __init__(
        self, work: Callable[[], Awaitable[None]], interval: float, log: logging.Logger, what: str
    ) -> None:
        self.work = work
        self.interval = interval
        self._log = log
        self._what = what
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.work()
            except Exception as exc:  # the database or Redis may be briefly down
                self._log.warning("%s failed: %s", self._what, type(exc).__name__)
