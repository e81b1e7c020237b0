"""Server subprocesses for the benchmark: start, wait, find workers, read RSS, stop.

RSS is read from /proc (Linux), so the harness needs no psutil.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from bench.wrk import HarnessError

PAGE_KB = 1024


@dataclass
class ServerProcess:
    """One server (Runegate, the ceiling app or a peer) running as a subprocess."""

    name: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    started_at: float  # time.monotonic() just before the process was spawned
    worker_marker: str = "spawn_main"
    _log: object = field(default=None, repr=False)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def worker_pids(self) -> list[int]:
        """Worker processes: children whose command line carries `worker_marker`."""
        return [
            pid for pid in children_of(self.proc.pid) if self.worker_marker in cmdline(pid)
        ] or [self.proc.pid]

    def wait_workers(self, count: int, *, settle: float = 3.0, timeout: float = 120.0) -> None:
        """Wait until `count` workers have run unchanged for `settle` seconds.

        Under heavy load uvicorn's supervisor may kill a worker that is still starting
        (its health check times out) and spawn another; measuring then would be unfair.
        """
        deadline = time.monotonic() + timeout
        stable_since, seen = time.monotonic(), self.worker_pids()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            now = self.worker_pids()
            if now != seen or len(now) != count:
                stable_since, seen = time.monotonic(), now
            elif time.monotonic() - stable_since >= settle:
                return
        raise HarnessError(f"{self.name}: {count} workers did not stay up:\n{self.log_tail()}")

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]

    def stop(self, timeout: float = 20.0) -> None:
        """SIGINT (graceful shutdown), then SIGKILL of the process group if needed."""
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        closer = getattr(self._log, "close", None)
        if callable(closer):
            closer()


def spawn(
    name: str, argv: list[str], *, env: dict[str, str], cwd: Path, log_path: Path
) -> ServerProcess:
    """Start `argv` in its own process group with output to `log_path` (never a pipe)."""
    log = log_path.open("wb")
    started = time.monotonic()
    proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        argv,
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return ServerProcess(name, proc, log_path, started, _log=log)


def wait_until(
    server: ServerProcess, probe: Callable[[], bool], *, timeout: float, what: str
) -> float:
    """Poll `probe` until it is true; return seconds since the server was spawned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not server.alive():
            raise HarnessError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            if probe():
                return time.monotonic() - server.started_at
        except OSError:
            pass
        time.sleep(0.02)
    raise HarnessError(f"{server.name}: {what} not within {timeout:.0f} s:\n{server.log_tail()}")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Field 4 (ppid) follows the parenthesised command name, which may hold spaces.
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of `pids` (all their threads), from /proc/PID/stat."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / CLOCK_TICKS


def pids_matching(fragment: str) -> list[int]:
    """Processes whose command line contains `fragment` (e.g. PostgreSQL backends of a db)."""
    return [
        int(entry.name)
        for entry in Path("/proc").iterdir()
        if entry.name.isdigit() and fragment in cmdline(int(entry.name))
    ]


def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB (VmRSS from /proc/PID/status)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / PAGE_KB
    except OSError:
        pass
    return 0.0
