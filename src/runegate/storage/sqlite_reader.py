"""Single-statement reads on SQLite in one hop to a reader thread (the group reads of
bearer-token and introspection lookups, oauth/verifier.py).

Through aiosqlite a read took three trips to its connection's thread (execute, fetch,
close), each a wake-up of the event loop. Here a small pool of threads, each with its own
plain `sqlite3` connection (WAL: readers never wait for the writer), runs the statement
and fetches its rows in one call. Each statement is its own read transaction, so it sees
everything committed before it started, as `Database.autocommit()` does. Parameters and
results pass through the columns' SQLAlchemy processors (datetimes, booleans), so rows
hold the same values as through the engine.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError

from runegate.storage.sqlite_batch import Processor
from runegate.storage.sqlite_batch import open_connection

READER_THREADS = 4
# statement -> (SQL, parameter names, parameter processors, result processors)
Prepared = tuple[str, list[str], list[Processor], list[Processor]]


class SqliteReader:
    def __init__(self, path: str, dialect: Dialect, busy_timeout_ms: int) -> None:
        self.path = path
        self.dialect = dialect
        self.busy_timeout_ms = busy_timeout_ms
        self._executor = ThreadPoolExecutor(READER_THREADS, thread_name_prefix="runegate-read")
        self._local = threading.local()
        self._opened: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # id(statement) -> (statement, prepared): the statement is kept alive with its id.
        self._prepared: dict[int, tuple[Select[Any], Prepared]] = {}

    def _prepare(self, statement: Select[Any]) -> Prepared:
        found = self._prepared.get(id(statement))
        if found is not None:
            return found[1]
        d = self.dialect
        compiled = statement.compile(dialect=d)
        names = list(compiled.positiontup or ())
        binds: list[Processor] = [
            compiled.binds[n].type.dialect_impl(d).bind_processor(d) for n in names
        ]
        results: list[Processor] = [
            column.type.dialect_impl(d).result_processor(d, None)
            for column in statement.selected_columns
        ]
        # No processor at all: rows are used as fetched (an empty list says so).
        prepared = (str(compiled), names, binds, results if any(results) else [])
        self._prepared[id(statement)] = (statement, prepared)
        return prepared

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_connection(self.path, self.busy_timeout_ms)
            self._local.conn = conn
            with self._lock:
                self._opened.append(conn)
        return conn

    def _query(self, sql: str, values: tuple[Any, ...], results: list[Processor]) -> list[Any]:
        rows = self._connection().execute(sql, values).fetchall()
        if not results:
            return rows
        return [
            tuple(v if p is None else p(v) for p, v in zip(results, row, strict=True))
            for row in rows
        ]

    async def rows(self, statement: Select[Any], params: dict[str, Any]) -> list[Any]:
        """The rows of `statement` (tuples in its column order) for `params`."""
        sql, names, binds, results = self._prepare(statement)
        values = tuple(
            params[n] if p is None else p(params[n]) for n, p in zip(names, binds, strict=True)
        )
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._query, sql, values, results)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc

    def close(self) -> None:
        self._executor.shutdown(wait=True)  # idle threads: returns at once
        with self._lock:
            for conn in self._opened:
                conn.close()
            self._opened.clear()
