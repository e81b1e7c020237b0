"""Fresh databases for each benchmark run: a SQLite file, a PostgreSQL database."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.config import BenchConfig
from bench.wrk import HarnessError


@dataclass(frozen=True, slots=True)
class Backend:
    name: str  # "sqlite" or "postgresql"
    url: str


def sqlite_backend(workdir: Path) -> Backend:
    return Backend("sqlite", f"sqlite:///{workdir / 'runegate.db'}")


async def _admin(admin_url: str, statements: list[str]) -> None:
    url = make_url(admin_url)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        database=url.database or "postgres",
        timeout=5,
    )
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def _check_name(name: str) -> str:
    if not name.startswith("runegate_bench_") or not name.replace("_", "").isalnum():
        raise HarnessError(f"BENCH_PG_DB must look like runegate_bench_<name>, not {name!r}")
    return name


def postgres_backend(cfg: BenchConfig) -> Backend | str:
    """A freshly created database, or the reason PostgreSQL cannot be used."""
    try:
        fresh_database(cfg.pg_admin_url, cfg.pg_database)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        return f"PostgreSQL at {make_url(cfg.pg_admin_url).host} is not reachable ({exc})"
    return Backend("postgresql", database_url(cfg.pg_admin_url, cfg.pg_database))


def drop_postgres(cfg: BenchConfig) -> None:
    drop_database(cfg.pg_admin_url, cfg.pg_database)


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url`."""
    url = make_url(admin_url).set(drivername="postgresql", database=_check_name(name))
    return url.render_as_string(hide_password=False)


def fresh_database(admin_url: str, name: str) -> None:
    """Drop (if present) and create the scratch database `name`."""
    name = _check_name(name)
    asyncio.run(
        _admin(
            admin_url, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"]
        )
    )


def drop_database(admin_url: str, name: str) -> None:
    name = _check_name(name)
    asyncio.run(_admin(admin_url, [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"]))
