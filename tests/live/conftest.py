"""Fixtures of the live tests: services of the tests' own."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import missing_tool
from tests.live.pg_cluster import PgCluster
from tests.live.pg_cluster import bin_dir
from tests.live.server import free_port


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    binaries = bin_dir()
    if binaries is None:
        missing_tool("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    user = None
    if os.geteuid() == 0:  # initdb and pg_ctl refuse root: run them as `postgres`
        user = "postgres"
        try:
            pwd.getpwnam(user)
        except KeyError:
            pytest.fail("running as root: a 'postgres' system user is needed to run initdb")
    root = Path(tempfile.mkdtemp(prefix="runegate-pg-"))
    if user:
        shutil.chown(root, user)
    cluster = PgCluster(binaries, root, user)
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


class RedisServer:
    """`redis-server` of the test's own on a free port, without persistence."""

    def __init__(self, binary: str, workdir: Path) -> None:
        self.binary = binary
        self.workdir = workdir
        self.port = free_port(25600, 25800)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        missing_tool("redis-server is not installed")
    server = RedisServer(binary, tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
