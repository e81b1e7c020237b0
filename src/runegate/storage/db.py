"""Database engine and units of work.

SQLite runs in WAL mode with `busy_timeout`, `synchronous=FULL` (durable on power loss)
and `BEGIN IMMEDIATE` for write transactions, so concurrent writers queue instead of
failing or losing updates. PostgreSQL runs through asyncpg with `synchronous_commit=on`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import Select
from sqlalchemy import Table
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine

from runegate.storage.sqlite_batch import SqliteBatchWriter
from runegate.storage.sqlite_reader import SqliteReader

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A request must fail fast (503) rather than hang when the database is unreachable.
CONNECT_TIMEOUT_S = 2.0
POOL_TIMEOUT_S = 5.0
_WRITE_OPTION = "runegate_write"
# Single-statement reads on a pooled connection, without BEGIN/ROLLBACK round trips.
_AUTOCOMMIT_OPTION = "runegate_autocommit"
# Connections per engine (per worker): pool plus overflow never exceed MAX_CONNECTIONS.
# SQLAlchemy closes an overflow connection when it is returned to a full pool, so under
# load a pool smaller than the worker's concurrency opens and closes a connection per
# request: `make bench` saw about 80 PostgreSQL backends started in 13 s of introspection
# load with a pool of 10 (docs/benchmarks.md). Every connection opened is therefore kept.
# On SQLite the churn was worse: each new connection is a new aiosqlite thread, a file
# open and four PRAGMAs, about a third of a worker's CPU under introspection load with
# 10 kept (py-spy). Connections open on demand, so an idle worker still holds one or two.
MAX_CONNECTIONS = 30
SQLITE_POOL_SIZE = MAX_CONNECTIONS
# `session.info` key: the change counters a write bumped (storage/changes.py).
CHANGED = "runegate_changed"


def async_url(url: str) -> str:
    """Map the user-facing URL (`sqlite:///...`, `postgresql://...`) to an async driver."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    else:
        raise ValueError(f"unsupported database backend {backend!r} (sqlite or postgresql)")
    return parsed.render_as_string(hide_password=False)


def ensure_sqlite_dir(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, *, pool_size: int | None = None) -> AsyncEngine:
    ensure_sqlite_dir(url)
    driver_url = async_url(url)
    if driver_url.startswith("sqlite"):
        size = pool_size or SQLITE_POOL_SIZE
        overflow = max(MAX_CONNECTIONS - size, 0)
        engine = create_async_engine(driver_url, pool_size=size, max_overflow=overflow)
        _configure_sqlite(engine)
        return engine
    size = pool_size or MAX_CONNECTIONS
    return create_async_engine(
        driver_url,
        pool_size=size,
        max_overflow=max(MAX_CONNECTIONS - size, 0),
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=False,  # a dropped connection is invalidated on its first error
        skip_autocommit_rollback=True,  # autocommit reads need no ROLLBACK on return
        connect_args={
            "timeout": CONNECT_TIMEOUT_S,
            "server_settings": {"synchronous_commit": "on"},
        },
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(_WRITE_OPTION):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif options.get(_AUTOCOMMIT_OPTION):
            return  # each statement runs in its own implicit transaction
        else:
            connection.exec_driver_sql("BEGIN")


class WriteGate:
    """Serializes SQLite write transactions of all processes on one database file.

    SQLite lets one writer in at a time; a writer that finds the lock taken sleeps in its
    busy handler (1, 2, 5 … 100 ms between attempts) instead of waking when the lock is
    released, which made two workers' group commits wait on each other for tens of ms
    (docs/benchmarks.md). Here writers of one process queue on an asyncio lock and the
    head of the queue takes an exclusive `flock` on `<database>-writer.lock`, so the next
    writer, in whichever process, starts as soon as the previous one has committed.
    """

    def __init__(self, database_path: str) -> None:
        self.path = f"{database_path}-writer.lock"
        self._fd: int | None = None
        self._local = asyncio.Lock()

    def _fileno(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    async def acquire(self) -> None:
        """Wait for the write lock; TimeoutError (a 503) after SQLite's busy timeout."""
        timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
        await asyncio.wait_for(self._local.acquire(), timeout)
        try:
            fd = self._fileno()
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
                try:
                    await asyncio.wait_for(asyncio.shield(waiting), timeout)
                except (asyncio.CancelledError, TimeoutError):
                    # The thread still gets the lock: give it back as soon as it does.
                    waiting.add_done_callback(lambda _f: fcntl.flock(fd, fcntl.LOCK_UN))
                    raise
        except BaseException:
            self._local.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._local.release()

    # For a writer thread (storage/sqlite_batch.py): the process's turn is taken on the
    # event loop, the file lock in the thread, so that a contended lock costs no extra
    # hop to another thread.
    async def acquire_local(self) -> int:
        """Take this process's turn; return the lock file for `lock_file`/`unlock_file`."""
        await asyncio.wait_for(self._local.acquire(), SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            return self._fileno()
        except BaseException:
            self._local.release()
            raise

    def release_local(self) -> None:
        self._local.release()

    @staticmethod
    def lock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocks the writer thread, not the event loop

    @staticmethod
    def unlock_file(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _write_gate(url: str) -> WriteGate | None:
    parsed = make_url(url)
    if fcntl is None or parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        return None
    return WriteGate(str(Path(parsed.database).resolve()))


def _sqlite_path(url: str) -> str:
    return str(Path(str(make_url(url).database)).resolve())


def _batch_writer(url: str, engine: AsyncEngine) -> SqliteBatchWriter:
    return SqliteBatchWriter(_sqlite_path(url), engine.dialect, SQLITE_BUSY_TIMEOUT_MS)


def _reader(url: str, engine: AsyncEngine) -> SqliteReader:
    return SqliteReader(_sqlite_path(url), engine.dialect, SQLITE_BUSY_TIMEOUT_MS)


class Database:
    """Owns the engine and hands out read and write units of work."""

    def __init__(self, url: str, *, pool_size: int | None = None) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._read = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write = async_sessionmaker(
            self.engine.execution_options(**{_WRITE_OPTION: True}), expire_on_commit=False
        )
        self._autocommit = self._autocommit_engine()
        self._unshared = async_sessionmaker(self._autocommit, expire_on_commit=False)
        self._write_engine = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._bulk_sql: dict[str, tuple[str, list[str]]] = {}
        self._gate = _write_gate(url)
        self._batch = _batch_writer(url, self.engine) if self._gate is not None else None
        self._reader = _reader(url, self.engine) if self._gate is not None else None
        # Called after a write commits, with the change counters it bumped (cache.py).
        self.commit_listeners: list[Callable[[frozenset[str]], None]] = []

    def _autocommit_engine(self) -> AsyncEngine:
        if self.is_sqlite:
            # The "begin" listener skips BEGIN; SQLite's own isolation level stays untouched.
            return self.engine.execution_options(**{_AUTOCOMMIT_OPTION: True})
        return self.engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only unit of work (rolled back at the end)."""
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def read_unshared(self) -> AsyncIterator[AsyncSession]:
        """A read-only session outside any transaction: no BEGIN, no ROLLBACK round
        trips; each statement sees the database as it is when it runs. For reads whose
        statements need not share one snapshot (a page of a listing and the groups,
        roles and lock state of its rows); nothing may be written through it."""
        async with self._unshared() as session:
            yield session

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[AsyncConnection]:
        """A pooled connection for single-statement Core reads: no BEGIN, no ROLLBACK.

        Each statement sees a consistent snapshot of its own; use `read()` when several
        statements must see the same one.
        """
        async with self._autocommit.connect() as conn:
            yield conn

    async def read_rows(self, statement: Select[Any], params: dict[str, Any]) -> Sequence[Any]:
        """The rows of one Core SELECT, read like `autocommit()` (a snapshot of its own).

        The hot read path (token lookups): on a SQLite file in one call to a reader
        thread (storage/sqlite_reader.py), elsewhere on a pooled autocommit connection.
        Rows are tuples in the statement's column order.
        """
        if self._reader is not None:
            return await self._reader.rows(statement, params)
        async with self.autocommit() as conn:
            result = await conn.execute(statement, params)
            return list(result.all())

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write unit of work: commits on success, rolls back on any error."""
        if self._gate is None:
            async with self._committed_unit() as session:
                yield session
            return
        await self._gate.acquire()
        try:
            async with self._committed_unit() as session:
                yield session
        finally:
            self._gate.release()

    async def insert_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert `rows` (each with every column of `table`) in one durable transaction.

        The group-commit path of the token writer, without an ORM session or change
        counters. On PostgreSQL the batch is one asyncpg `executemany` of a statement
        compiled once, on an autocommit connection: asyncpg runs it atomically in one
        implicit transaction (one round trip, one commit, no BEGIN/COMMIT); on SQLite
        inside `BEGIN IMMEDIATE`, behind the cross-process write gate.
        """
        if not self.is_sqlite:
            await self._pg_insert_many(table, rows)
            return
        if self._batch is not None and self._gate is not None:
            await self._batch.insert(table, rows, self._gate)
            return
        async with self._write_engine.begin() as conn:  # an in-memory database: no gate
            await conn.execute(insert(table), rows)

    async def _pg_insert_many(self, table: Table, rows: list[dict[str, Any]]) -> None:
        compiled = self._bulk_sql.get(table.name)
        if compiled is None:
            statement = insert(table).compile(dialect=self.engine.dialect)
            compiled = (str(statement), list(statement.positiontup or ()))
            self._bulk_sql[table.name] = compiled
        sql, names = compiled
        values = [tuple(row[name] for name in names) for row in rows]
        async with self._autocommit.connect() as conn:
            await conn.exec_driver_sql(sql, values)

    @asynccontextmanager
    async def _committed_unit(self) -> AsyncIterator[AsyncSession]:
        """One write transaction; after its commit, the change counters it bumped go to
        `commit_listeners`."""
        async with self._write() as session:
            async with session.begin():
                yield session
            changed = session.info.pop(CHANGED, None)
            if changed:
                for listener in list(self.commit_listeners):
                    listener(frozenset(changed))

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def lock(self, session: AsyncSession, key: int) -> None:
        """Serialize a critical section across processes and nodes.

        PostgreSQL: a transaction-scoped advisory lock. SQLite: the write transaction
        already holds the database's RESERVED lock (BEGIN IMMEDIATE).
        """
        if not self.is_sqlite:
            await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._batch is not None:
            await self._batch.close()
            self._batch = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._gate is not None:
            self._gate.close()
