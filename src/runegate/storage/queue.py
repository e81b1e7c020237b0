"""Durable work queues in a table (the mail outbox, back-channel logout notices): rows are
written with the action that promises the work and processed in the background by every
server process.

A row is `pending` until due (`next_attempt_at`), then claimed with
`UPDATE ... WHERE id = :id AND attempts = :seen AND <still due>`: only one worker's update
matches (PostgreSQL re-checks the WHERE clause after a concurrent update; SQLite
serializes writers). A row left in `sending` by a crashed worker is due again after the
lease, so delivery is at least once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC
from abc import abstractmethod
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import Generic
from typing import TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from runegate.storage.db import Database

Row = TypeVar("Row")


class QueueWorker(ABC, Generic[Row]):
    """Claims due rows of `model` in batches and hands them to `process`; sleeps until
    woken (a commit that queued work, a retry timer) or `interval` passes."""

    model: Any  # the mapped class: id, status, attempts, next_attempt_at, claimed_at
    batch = 20
    lease = timedelta(minutes=5)
    what = "queue"

    def __init__(
        self,
        db: Database,
        *,
        interval: float,
        log: logging.Logger,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db = db
        self.interval = interval
        self.now = now
        self._log = log
        self._wake = asyncio.Event()
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

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                while await self.run_once() == self.batch:
                    pass
            except Exception as exc:  # the database may be briefly down
                self._log.warning("%s pass failed: %s", self.what, type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
            self._wake.clear()

    async def run_once(self) -> int:
        """Claim and process one batch of due rows; returns how many were claimed."""
        rows = await self.claim()
        if rows:
            await self.process(rows)
        return len(rows)

    @abstractmethod
    async def process(self, rows: list[Row]) -> None:
        """Deliver `rows` (each subclass: mail, back-channel logout notices)."""

    def due(self, now: datetime) -> ColumnElement[bool]:
        model = self.model
        return or_(
            and_(model.status == "pending", model.next_attempt_at <= now),
            and_(model.status == "sending", model.claimed_at < now - self.lease),
        )

    async def claim(self) -> list[Row]:
        model = self.model
        now = self.now()
        due = self.due(now)
        async with self.db.read() as session:
            seen = (
                await session.execute(
                    select(model.id, model.attempts)
                    .where(due)
                    .order_by(model.next_attempt_at)
                    .limit(self.batch)
                )
            ).all()
        claimed: list[Row] = []
        if not seen:
            return claimed
        async with self.db.write() as session:
            for row_id, attempts in seen:
                result = await session.execute(
                    update(model)
                    .where(model.id == row_id, model.attempts == attempts, due)
                    .values(status="sending", attempts=attempts + 1, claimed_at=now)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    row = await session.get(model, row_id, populate_existing=True)
                    if row is not None:
                        claimed.append(row)
        return claimed

    async def finish(self, row: Any, values: dict[str, object]) -> None:
        """Record the outcome of the attempt this worker claimed."""
        model = self.model
        async with self.db.write() as session:
            await session.execute(
                update(model)
                .where(model.id == row.id, model.attempts == row.attempts)
                .values(**values)
            )
