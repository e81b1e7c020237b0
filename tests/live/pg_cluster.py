"""A PostgreSQL cluster of the test's own (initdb into a temporary directory, a free port),
so tests can stop it, start it and create databases without touching the machine's."""

from __future__ import annotations

import glob
import subprocess
from pathlib import Path

from tests.live.server import free_port


def bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


class PgCluster:
    def __init__(self, bin_dir: Path, root: Path, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = free_port(25400, 25600)
        self._user = user  # initdb and pg_ctl refuse to run as root

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self._user:
            command = ["runuser", "-u", self._user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            [self.tool("psql"), "-tAq", "-v", "ON_ERROR_STOP=1", "-c", sql, self.url(database)],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.stdout.strip()

    def create_database(self, name: str) -> str:
        self.query(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)
