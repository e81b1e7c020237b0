"""Batched inserts on SQLite in one hop to one thread (the token writer's group commit).

Through SQLAlchemy's aiosqlite driver a batch took five trips to the connection's thread
(pool reset, `BEGIN IMMEDIATE`, `executemany`, `COMMIT`, reset again), each a wake-up of
the event loop, plus SQLAlchemy's statement and parameter processing per batch. Here one
plain `sqlite3` connection, owned by one thread per process, runs the whole transaction
in one call. Values pass through the columns' own SQLAlchemy bind processors (datetimes
as SQLAlchemy stores them), so rows read back exactly as if the ORM had written them.
The connection is configured like the engine's (WAL, busy timeout, `synchronous=FULL`,
foreign keys); the cross-process write gate (`db.WriteGate`) is taken in the
thread too, so a batch waiting for the other process's commit costs no extra hop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

if TYPE_CHECKING:
    from runegate.storage.db import WriteGate

Processor = Callable[[Any], Any] | None
PRAGMAS = ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON")


def open_connection(path: str, busy_timeout_ms: int) -> sqlite3.Connection:
    """A plain sqlite3 connection configured like the engine's, in autocommit mode (each
    statement its own transaction unless BEGIN is sent), usable from any one thread."""
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=busy_timeout_ms / 1000
    )
    for pragma in PRAGMAS:
        conn.execute(f"PRAGMA {pragma}")
    return conn


class SqliteBatchWriter:
    def __init__(self, path: str, dialect: Dialect, busy_timeout_ms: int) -> None:
        self.path = path
        self.dialect = dialect
        self.busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="runegate-sqlite-batch")
        self._conn: sqlite3.Connection | None = None
        self._statements: dict[str, tuple[str, list[str], list[Processor]]] = {}

    def _statement(self, table: Table) -> tuple[str, list[str], list[Processor]]:
        found = self._statements.get(table.name)
        if found is None:
            compiled = insert(table).compile(dialect=self.dialect)
            names = list(compiled.positiontup or ())
            processors: list[Processor] = [
                table.c[name].type.dialect_impl(self.dialect).bind_processor(self.dialect)
                for name in names
            ]
            found = (str(compiled), names, processors)
            self._statements[table.name] = found
        return found

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:  # opened and used by the one executor thread
            self._conn = open_connection(self.path, self.busy_timeout_ms)
        return self._conn

    def _transaction(self, sql: str, values: list[tuple[Any, ...]]) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(sql, values)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _gated_transaction(
        self, gate: WriteGate, fd: int, sql: str, values: list[tuple[Any, ...]]
    ) -> None:
        gate.lock_file(fd)
        try:
            self._transaction(sql, values)
        finally:
            gate.unlock_file(fd)

    async def insert(self, table: Table, rows: list[dict[str, Any]], gate: WriteGate) -> None:
        """Insert `rows` (each with every column) in one durable transaction, in this
        process's turn of the write gate."""
        sql, names, processors = self._statement(table)
        values = [
            tuple(
                row[name] if process is None else process(row[name])
                for name, process in zip(names, processors, strict=True)
            )
            for row in rows
        ]
        fd = await gate.acquire_local()
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._executor, self._gated_transaction, gate, fd, sql, values)
        try:
            await asyncio.shield(work)
        except asyncio.CancelledError:
            # The thread still runs the transaction: the turn ends when it has finished.
            work.add_done_callback(lambda _done: gate.release_local())
            raise
        except sqlite3.Error as exc:
            gate.release_local()
            # The same exception classes as through the engine (IntegrityError, ...).
            raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc
        except BaseException:
            gate.release_local()
            raise
        gate.release_local()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=False)
