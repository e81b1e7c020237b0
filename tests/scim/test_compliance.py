"""scim2-tester against a live `runegate serve` (SQLite, and PostgreSQL when configured).

The organization's password policy is relaxed to lower-case + digits first: the checker
writes random UUID strings as passwords (the policy itself is tested in test_users.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
from sqlalchemy import update

from runegate.bootstrap import run_bootstrap
from runegate.storage.db import Database
from runegate.storage.models.organization import Organization
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth
from tests.conftest import make_settings
from tests.live.server import free_port
from tests.live.server import live_server
from tests.scim.conftest import SCIM_SCOPES

RELAXED = [{"key": "runegate.password.require_upper", "value": "false"}]


async def _prepare(database_url: str, tmp_path: Path) -> None:
    db = Database(database_url, pool_size=1)
    try:
        await run_bootstrap(make_settings(database_url, tmp_path), db)
        async with db.write() as session:
            await session.execute(update(Organization).values(attributes=RELAXED))
    finally:
        await db.dispose()


def _token(base: str) -> str:
    response = httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": SCIM_SCOPES},
        headers=basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _run_checker(base: str, token: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SCIM_CLI_HEADERS=f"Authorization: Bearer {token}")
    scim2 = Path(sys.executable).parent / "scim2"
    return subprocess.run(
        [str(scim2), "--url", f"{base}/t/default/scim2", "test"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


async def test_scim2_tester_passes_every_check(database_url: str, tmp_path: Path) -> None:
    await _prepare(database_url, tmp_path)
    with live_server(database_url, tmp_path, port=free_port(18300, 18399)) as (base, _proc):
        done = _run_checker(base, _token(base), tmp_path)
    report = done.stdout + done.stderr
    failed = [line for line in report.splitlines() if line.startswith(("ERROR", "CRITICAL"))]
    assert done.returncode == 0 and not failed, report[-4000:]
    assert report.count("\nSUCCESS") >= 100, report[-2000:]
