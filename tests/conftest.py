"""Shared fixtures: real databases (SQLite always, PostgreSQL when
RUNEGATE_TEST_DATABASE_URL is set), the real app, and real HTTP requests through httpx."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any
from typing import NoReturn

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url
from sqlalchemy import text

from runegate.app import create_app
from runegate.bootstrap import run_bootstrap
from runegate.config import Settings
from runegate.storage.db import Database
from runegate.storage.migrate import upgrade
from runegate.storage.models import Base

PG_URL = os.environ.get("RUNEGATE_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
# Under pytest-xdist every worker gets a PostgreSQL database of its own (`<db>_<worker>`),
# created in pytest_configure and dropped in pytest_unconfigure.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")

BOOT_CLIENT_ID = "test-bootstrap-client"
BOOT_CLIENT_SECRET = "test-bootstrap-secret-with-enough-entropy-0123456789"
SECRET_KEY = "test-secret-key-0123456789abcdef0123456789abcdef"
BASE_URL = "http://testserver"

_sqlite_template: Path | None = None
_pg_migrated = False


def missing_tool(message: str) -> NoReturn:
    """A test needs a program that is not installed: skip it on a developer's machine, but
    fail it under CI=true, where `.ci/run` installs or starts everything the tests need (a
    skipped test there would prove nothing)."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


async def _sqlite_url(tmp_path: Path, tmp_root: Path) -> str:
    global _sqlite_template
    if _sqlite_template is None:
        template = tmp_root / "template.db"
        await asyncio.to_thread(upgrade, f"sqlite:///{template}")
        _sqlite_template = template
    target = tmp_path / "runegate.db"
    shutil.copy(_sqlite_template, target)
    return f"sqlite:///{target}"


def _worker_url(url: str, worker: str) -> tuple[str, str, str]:
    """(worker database URL, admin URL, worker database name) for an xdist worker."""
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = parsed.set(database="postgres").render_as_string(hide_password=False)
    return parsed.set(database=name).render_as_string(hide_password=False), admin, name


async def _admin_sql(admin_url: str, statement: str) -> None:
    conn = await asyncpg.connect(admin_url.replace("postgresql://", "postgres://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


_worker_db: tuple[str, str] | None = None  # (admin URL, database name)


def pytest_configure(config: pytest.Config) -> None:
    global PG_URL, _worker_db
    if PG_URL and _XDIST_WORKER and _worker_db is None:
        url, admin, name = _worker_url(PG_URL, _XDIST_WORKER)
        asyncio.run(_admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        asyncio.run(_admin_sql(admin, f'CREATE DATABASE "{name}"'))
        PG_URL, _worker_db = url, (admin, name)
        # Live-server tests start subprocesses that read the variable.
        os.environ["RUNEGATE_TEST_DATABASE_URL"] = url


# With PostgreSQL configured, storage and integration suites run on both backends; the
# suites below test surfaces whose storage paths those suites already cover (pages,
# wire shapes, fuzzing), so they run once, on SQLite, unless RUNEGATE_TEST_PG_EVERYWHERE=1.
SQLITE_ONLY = (
    "tests/web/",
    "tests/myaccount/test_pages.py",
    "tests/fuzz/test_schemathesis.py",
    "tests/fuzz/test_properties.py",
    "tests/management/test_reference_schemas.py",
    "tests/mail/test_pages.py",
    "tests/http/",
    "tests/cli/",
    "tests/crypto/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not PG_URL or os.environ.get("RUNEGATE_TEST_PG_EVERYWHERE") == "1":
        return
    root = Path(str(config.rootpath))
    keep, skip = [], []
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix()
        params = getattr(getattr(item, "callspec", None), "params", {})
        once = params.get("backend") == "postgresql" and where.startswith(SQLITE_ONLY)
        (skip if once else keep).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


def pytest_unconfigure(config: pytest.Config) -> None:
    if _worker_db is not None:
        admin, name = _worker_db
        asyncio.run(_admin_sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _reset_pg(url: str) -> None:
    global _pg_migrated
    db = Database(url, pool_size=1)
    if not _pg_migrated:
        # The test database is disposable: start every session from an empty schema.
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await asyncio.to_thread(upgrade, url)
        _pg_migrated = True
    try:
        async with db.engine.begin() as conn:
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} CASCADE"))
    finally:
        await db.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(
    backend: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if backend == "sqlite":
        return await _sqlite_url(tmp_path, tmp_path_factory.getbasetemp())
    assert PG_URL
    await _reset_pg(PG_URL)
    return PG_URL


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "public_url": BASE_URL,
        "secret_key": SECRET_KEY,
        "bootstrap_client_id": BOOT_CLIENT_ID,
        "bootstrap_client_secret": BOOT_CLIENT_SECRET,
        "admin_password": "admin-password-for-tests",
        "var_dir": tmp_path / "var",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=5)
    yield database
    await database.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path)


AppFactory = Callable[..., Awaitable[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
async def make_app(database_url: str, tmp_path: Path) -> AsyncIterator[AppFactory]:
    """Boot the real app (bootstrapped) with settings overrides; yields (app, client)."""
    async with AsyncExitStack() as stack:

        async def factory(**overrides: Any) -> tuple[FastAPI, httpx.AsyncClient]:
            settings = make_settings(database_url, tmp_path, **overrides)
            db = Database(settings.database_url, pool_size=5)
            stack.push_async_callback(db.dispose)
            await run_bootstrap(settings, db)
            app = create_app(settings, db=db)
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
            await stack.enter_async_context(client)
            return app, client

        yield factory


@pytest.fixture
async def client(make_app: AppFactory) -> httpx.AsyncClient:
    _app, http = await make_app()
    return http


def basic_auth(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def get_token(
    http: httpx.AsyncClient,
    scope: str,
    *,
    org: str = "default",
    client_id: str = BOOT_CLIENT_ID,
    secret: str = BOOT_CLIENT_SECRET,
) -> str:
    """A client_credentials token from the real token endpoint."""
    response = await http.post(
        f"/t/{org}/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scope},
        headers=basic_auth(client_id, secret),
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
