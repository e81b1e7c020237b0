"""Bootstrap converges: safe to rerun and to run from several processes at once; it
updates the bootstrap app's credentials and authorizations and touches nothing else."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from runegate.bootstrap import run_bootstrap
from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import verify_password
from runegate.storage.db import Database
from runegate.storage.models import ApiResource
from runegate.storage.models import ApiScope
from runegate.storage.models import Application
from runegate.storage.models import AuthorizedScope
from runegate.storage.models import Organization
from runegate.storage.models import User
from runegate.tenancy.system_apis import system_apis
from tests.conftest import SECRET_KEY
from tests.conftest import make_settings


async def _counts(db: Database) -> dict[str, int]:
    out = {}
    async with db.read() as s:
        for model in (Organization, User, Application, ApiResource, ApiScope, AuthorizedScope):
            out[model.__name__] = int(await s.scalar(select(func.count()).select_from(model)))
    return out


async def test_bootstrap_creates_everything_once(db: Database, tmp_path: Path) -> None:
    settings = make_settings(db.url, tmp_path)
    first = await run_bootstrap(settings, db)
    assert first.org_created and first.generated_admin_password is None
    counts = await _counts(db)
    second = await run_bootstrap(settings, db)
    assert not second.org_created
    assert await _counts(db) == counts
    expected_scopes = sum(len(api.scopes) for api in system_apis())
    assert counts["Organization"] == 1
    assert counts["ApiResource"] == len(system_apis())
    assert counts["ApiScope"] == expected_scopes
    # The bootstrap app and the Console (a system application) hold every scope.
    assert counts["Application"] == 2
    assert counts["AuthorizedScope"] == 2 * expected_scopes
    async with db.read() as s:
        admin = await s.scalar(select(User).where(User.user_name == "admin"))
        assert admin is not None and admin.password_hash is not None
        assert admin.password_hash.startswith("$argon2id$")
        assert verify_password(admin.password_hash, "admin-password-for-tests")


async def test_generated_admin_password_is_returned_once(db: Database, tmp_path: Path) -> None:
    settings = make_settings(db.url, tmp_path, admin_password=None)
    first = await run_bootstrap(settings, db)
    assert first.generated_admin_password and len(first.generated_admin_password) >= 20
    assert (await run_bootstrap(settings, db)).generated_admin_password is None
    async with db.read() as s:
        admin = await s.scalar(select(User).where(User.user_name == "admin"))
    assert admin is not None and admin.password_hash is not None
    assert first.generated_admin_password not in admin.password_hash
    assert verify_password(admin.password_hash, first.generated_admin_password)


async def test_bootstrap_updates_credentials_and_leaves_other_data(
    db: Database, tmp_path: Path
) -> None:
    await run_bootstrap(make_settings(db.url, tmp_path), db)
    async with db.write() as s:
        org = await s.scalar(select(Organization))
        assert org is not None
        s.add(User(org_id=org.id, user_name="someone-else", display_name="keep me"))
    rotated = make_settings(
        db.url, tmp_path, bootstrap_client_secret="a-new-secret-value-1234567890"
    )
    await run_bootstrap(rotated, db)
    async with db.read() as s:
        app = await s.scalar(
            select(Application).where(Application.client_id == "test-bootstrap-client")
        )
        other = await s.scalar(select(User).where(User.user_name == "someone-else"))
    assert app is not None
    assert app.client_secret_hash == keyed_hash(
        SECRET_KEY.encode(), "a-new-secret-value-1234567890"
    )
    assert app.secret_generation == 2
    assert other is not None and other.display_name == "keep me"


async def test_concurrent_bootstrap_processes_converge(db: Database, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RUNEGATE_DATABASE_URL": db.url,
        "RUNEGATE_SECRET_KEY": SECRET_KEY,
        "RUNEGATE_ADMIN_PASSWORD": "admin-password-for-tests",
        "RUNEGATE_BOOTSTRAP_CLIENT_ID": "concurrent-client",
        "RUNEGATE_BOOTSTRAP_CLIENT_SECRET": "concurrent-secret-0123456789-abcdef",
    }
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "runegate",
            "bootstrap",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    results = [await p.communicate() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    counts = await _counts(db)
    assert counts["Organization"] == 1
    assert counts["User"] == 1
    assert counts["Application"] == 2  # the bootstrap app and the Console
    assert counts["ApiResource"] == len(system_apis())
