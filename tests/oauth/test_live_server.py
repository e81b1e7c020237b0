"""Against a real `runegate serve` subprocess: the cache rule with 2 workers on SQLite,
and durability of an issued token across SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import SECRET_KEY
from tests.conftest import basic_auth
from tests.live.server import free_port
from tests.live.server import live_server

BOOT = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
PROPAGATION_BOUND = 1.0  # issue 3 item 9: every worker within 1 second


def expires_in(base: str) -> int:
    # A fresh connection per request, so the kernel spreads them over the workers.
    response = httpx.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "client_credentials"},
        headers=BOOT,
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return int(response.json()["expires_in"])


def cli(args: list[str], database_url: str, cwd: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update({"RUNEGATE_DATABASE_URL": database_url, "RUNEGATE_SECRET_KEY": SECRET_KEY})
    done = subprocess.run(
        [sys.executable, "-m", "runegate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr


def test_two_workers_honour_a_change_within_one_second(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    port = free_port(18150, 18175)
    with live_server(url, tmp_path, port=port, workers=2) as (base, _proc):
        # Warm both workers' caches with the old client record.
        assert {expires_in(base) for _ in range(30)} == {3600}
        # The change is made by another process: neither worker made it.
        cli(["app", "set-token", BOOT_CLIENT_ID, "--lifetime", "120"], url, tmp_path)
        changed = time.monotonic()
        seen: list[int] = []
        while time.monotonic() - changed < PROPAGATION_BOUND:  # bounded polling
            seen.append(expires_in(base))
        assert 120 in seen
        after = [expires_in(base) for _ in range(40)]
        assert after == [120] * 40


def test_revocation_is_seen_by_every_worker(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/live.db"
    port = free_port(18175, 18190)
    with live_server(url, tmp_path, port=port, workers=2) as (base, _proc):
        token = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers=BOOT,
        ).json()["access_token"]
        revoked = httpx.post(f"{base}/t/default/oauth2/revoke", data={"token": token}, headers=BOOT)
        assert revoked.status_code == 200
        for _ in range(20):
            answer = httpx.post(
                f"{base}/t/default/oauth2/introspect", data={"token": token}, headers=BOOT
            )
            assert answer.json() == {"active": False}


def test_token_survives_sigkill(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/durable.db"
    port = free_port(18190, 18199)
    with live_server(url, tmp_path, port=port, workers=1) as (base, proc):
        response = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "internal_application_mgt_view"},
            headers=BOOT,
        )
        assert response.status_code == 200
        os.kill(proc.pid, signal.SIGKILL)  # right after the token was returned
        proc.wait(timeout=10)
    token = response.json()["access_token"]
    with live_server(url, tmp_path, port=port, workers=1) as (base, _proc):
        answer = httpx.post(
            f"{base}/t/default/oauth2/introspect", data={"token": token}, headers=BOOT
        )
        assert answer.json()["active"] is True
        assert answer.json()["scope"] == "internal_application_mgt_view"
