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


def free_port(start: int = 0, end: int = 0) -> int:
    """A port the OS reports free now (the range arguments are kept for old callers).

    Tests run in several pytest-xdist workers at once: scanning a fixed range let two
    workers pick the same port, so the OS chooses (bind to port 0) instead.
    """
    del start, end
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(
    database_url: str, *, port: int, workers: int = 1, **overrides: str
) -> dict[str, str]:
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
            # Load from loopback must not meet the default rate limits.
            "RUNEGATE_RATE_LIMIT_TOKEN_PER_IP": "1000000000",
            "RUNEGATE_RATE_LIMIT_TOKEN_PER_CLIENT": "1000000000",
            "RUNEGATE_RATE_LIMIT_SCIM_PER_IP": "1000000000",
            "RUNEGATE_RATE_LIMIT_SCIM_PER_CLIENT": "1000000000",
            **overrides,
        }
    )
    return env


def spawn_server(
    database_url: str,
    cwd: Path,
    *,
    port: int,
    workers: int = 1,
    setup: bool = True,
    **env_overrides: str,
) -> subprocess.Popen[bytes]:
    """Start `runegate serve [--setup]`; its output goes to `cwd/server-<port>.log`."""
    env = server_env(database_url, port=port, workers=workers, **env_overrides)
    with (cwd / f"server-{port}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "runegate", "serve", *(["--setup"] if setup else [])],
            env=env,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def wait_healthy(proc: subprocess.Popen[bytes], cwd: Path, port: int) -> str:
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # bounded: a busy CI host starts slowly
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((cwd / f"server-{port}.log").read_text())
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return base
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("server did not become healthy")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def live_server(
    database_url: str,
    cwd: Path,
    *,
    port: int,
    workers: int = 1,
    setup: bool = True,
    **env_overrides: str,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    proc = spawn_server(database_url, cwd, port=port, workers=workers, setup=setup, **env_overrides)
    try:
        yield wait_healthy(proc, cwd, port), proc
    finally:
        stop_server(proc)


def client_token(
    http: httpx.Client, base: str, scope: str = "", auth: tuple[str, str] | None = None
) -> httpx.Response:
    """A client_credentials token request (the bootstrap client unless `auth` is given)."""
    return http.post(
        f"{base}/t/default/oauth2/token",
        data={"grant_type": "client_credentials", "scope": scope},
        auth=auth or (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
    )
