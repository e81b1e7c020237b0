"""Group commit for issued tokens: concurrent requests share one durable transaction.

A token is returned only after the transaction holding its row has committed (durable
under SQLite `synchronous=FULL` / PostgreSQL `synchronous_commit=on`), but many
concurrent requests pay for one commit (one fsync) instead of one each.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import Table

from runegate.storage.db import Database
from runegate.storage.models.token import IssuedToken

MAX_BATCH = 256
TABLE: Table = IssuedToken.__table__  # type: ignore[assignment]
# A row names only the columns it sets; the batch is one executemany, so every row
# carries every column, the unset ones at their column default.
DEFAULTS: dict[str, Any] = {
    column.name: column.default.arg if column.default is not None else None  # type: ignore[attr-defined]
    for column in TABLE.columns
}


def complete(row: dict[str, Any]) -> dict[str, Any]:
    unknown = row.keys() - DEFAULTS.keys()
    if unknown:
        raise ValueError(f"issued_token has no column(s) {sorted(unknown)}")
    return {**DEFAULTS, **row}


class TokenWriter:
    """Collects rows while a commit is in flight and writes them in the next one."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pending: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None

    async def store(self, row: dict[str, Any]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((complete(row), future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            try:
                await self.db.insert_rows(TABLE, [row for row, _ in batch])
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            else:
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)
