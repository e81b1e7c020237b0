"""Run a real `runegate serve` subprocess for tests that need a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import SECRET_KEY


def free_port(start: int, end: int) -> int:
    for port in range(start, end):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


@contextmanager
def live_server(
    database_url: str, cwd: Path, *, port: int, workers: int = 1, **env_overrides: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update(
        {
            "RUNEGATE_DATABASE_URL": database_url,
            "RUNEGATE_PORT": str(port),
            "RUNEGATE_WORKERS": str(workers),
            "RUNEGATE_SECRET_KEY": SECRET_KEY,
            "RUNEGATE_ADMIN_PASSWORD": "admin-password-for-tests",
            "RUNEGATE_BOOTSTRAP_CLIENT_ID": BOOT_CLIENT_ID,
            "RUNEGATE_BOOTSTRAP_CLIENT_SECRET": BOOT_CLIENT_SECRET,
            **env_overrides,
        }
    )
    log = (cwd / f"server-{port}.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runegate", "serve", "--setup"],
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError((cwd / f"server-{port}.log").read_text())
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not become healthy")
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
