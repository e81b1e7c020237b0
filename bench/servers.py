"""Start the servers under test: Runegate (`runegate serve`) and the ceiling app."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from bench import fixtures
from bench.ceiling_app import PATH as CEILING_PATH
from bench.config import BOOT_CLIENT_ID
from bench.config import BOOT_CLIENT_SECRET
from bench.config import ROOT
from bench.config import BenchConfig
from bench.procs import ServerProcess
from bench.procs import spawn
from bench.procs import wait_until

START_TIMEOUT = 90.0


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def runegate_cmd() -> list[str]:
    """The `runegate` console script of this virtualenv."""
    script = Path(sys.executable).with_name("runegate")
    return [str(script)] if script.exists() else [sys.executable, "-m", "runegate.cli"]


def runegate_argv(setup: bool) -> list[str]:
    return [*runegate_cmd(), "serve", *(["--setup"] if setup else [])]


UNLIMITED = str(10**9)
LIMITS = ("TOKEN_PER_CLIENT", "TOKEN_PER_IP", "SCIM_PER_CLIENT", "SCIM_PER_IP")


def runegate_env(cfg: BenchConfig, database_url: str, workdir: Path) -> dict[str, str]:
    # No setting of the outer shell leaks into the server under test.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update(
        RUNEGATE_DATABASE_URL=database_url,
        RUNEGATE_HOST="127.0.0.1",
        RUNEGATE_PORT=str(cfg.port),
        RUNEGATE_WORKERS=str(cfg.workers),
        RUNEGATE_VAR_DIR=str(workdir / "var"),
        RUNEGATE_ADMIN_PASSWORD="Bench-admin-password-1",
        RUNEGATE_BOOTSTRAP_CLIENT_ID=BOOT_CLIENT_ID,
        RUNEGATE_BOOTSTRAP_CLIENT_SECRET=BOOT_CLIENT_SECRET,
        # Limits stay on (their cost is measured) but never refuse the load generator.
        **{f"RUNEGATE_RATE_LIMIT_{name}": UNLIMITED for name in LIMITS},
    )
    return env


def start_runegate(
    cfg: BenchConfig, database_url: str, workdir: Path, *, setup: bool, tag: str
) -> tuple[ServerProcess, float]:
    """Spawn Runegate; return it and the seconds from spawn to the first served token."""
    server = spawn(
        f"runegate ({tag})",
        runegate_argv(setup),
        env=runegate_env(cfg, database_url, workdir),
        cwd=workdir,  # so no .env of the repository is read
        log_path=workdir / f"runegate-{tag}.log",
    )
    boot = fixtures.Client("bootstrap", BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
    http = httpx.Client(base_url=base_url(cfg.port), timeout=2.0)

    def token_served() -> bool:
        try:
            return fixtures.token_response(http, boot.authorization).status_code == 200
        except httpx.TransportError:
            return False

    try:
        first_token = wait_until(server, token_served, timeout=START_TIMEOUT, what="first token")
    except BaseException:
        server.stop()
        raise
    finally:
        http.close()
    return server, first_token


def cli_setter(cfg: BenchConfig, database_url: str, workdir: Path) -> Callable[[str, str], str]:
    """`runegate app set-token CLIENT --type JWT --alg ALG` (the service layer, via the CLI)."""

    def set_alg(client_id: str, alg: str) -> str:
        argv = [*runegate_cmd(), "app", "set-token", client_id, "--type", "JWT", "--alg", alg]
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv,
            env=runegate_env(cfg, database_url, workdir),
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode == 0:
            return ""
        said = (done.stderr or done.stdout).strip().splitlines()
        return said[-1][:200] if said else f"exit status {done.returncode}"

    return set_alg


def start_ceiling(cfg: BenchConfig, workdir: Path) -> ServerProcess:
    env = dict(os.environ)
    env.update(RUNEGATE_PORT=str(cfg.port + 1), RUNEGATE_WORKERS=str(cfg.workers))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    server = spawn(
        "ceiling app",
        [sys.executable, "-m", "bench.ceiling_app"],
        env=env,
        cwd=ROOT,
        log_path=workdir / "ceiling.log",
    )
    http = httpx.Client(base_url=base_url(cfg.port + 1), timeout=2.0)

    def answers() -> bool:
        try:
            body = fixtures.GRANT_BODY
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            return http.post(CEILING_PATH, content=body, headers=headers).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(server, answers, timeout=START_TIMEOUT, what="first answer")
    except BaseException:
        server.stop()
        raise
    finally:
        http.close()
    return server


def wrk_available() -> bool:
    return shutil.which("wrk") is not None
