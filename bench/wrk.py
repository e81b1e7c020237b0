"""Drive a form-POST endpoint with wrk and parse the summary of `form_post.lua`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("form_post.lua")
MARKER = "BENCH_RESULT "
INSTALL_HINT = (
    "wrk (HTTP load generator) is not installed. Install it with:\n"
    "    sudo apt-get install wrk\n"
    "(Debian/Ubuntu package `wrk`; the benchmark installs nothing itself.)"
)


class HarnessError(RuntimeError):
    """The harness itself failed (not a missed target)."""


@dataclass(frozen=True, slots=True)
class LoadSpec:
    """One load run: where to POST, what, and how hard."""

    url: str
    body: str
    authorization: str | None = None
    duration: float = 20.0
    connections: int = 32
    threads: int = 2
    timeout: float = 5.0
    script: Path = SCRIPT
    extra_env: tuple[tuple[str, str], ...] = ()  # more variables for the script


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    duration_s: float
    socket_errors: int  # connect + read + write + timeout
    status_errors: int  # responses with a status >= 400 (wrk's "Non-2xx or 3xx")
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    # Server CPU (workers, and PostgreSQL backends) per request during the timed run:
    # unlike req/s, it hardly moves when other work shares the machine.
    cpu_ms_per_req: float = 0.0
    worker_restarts: int = 0  # server processes replaced during the timed run
    new_helpers: int = 0  # e.g. PostgreSQL backends started during the timed run

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors


def find_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise HarnessError(INSTALL_HINT)
    return path


def parse_output(text: str) -> WrkResult:
    """Read the BENCH_RESULT line printed by `form_post.lua`'s done()."""
    for line in text.splitlines():
        if line.startswith(MARKER):
            data = json.loads(line[len(MARKER) :])
            break
    else:
        raise HarnessError(f"wrk printed no {MARKER.strip()} line:\n{text[-2000:]}")
    return WrkResult(
        requests=int(data["requests"]),
        duration_s=data["duration_us"] / 1e6,
        socket_errors=sum(int(data[k]) for k in ("connect", "read", "write", "timeout")),
        status_errors=int(data["status"]),
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )


def command(wrk: str, spec: LoadSpec) -> list[str]:
    return [
        wrk,
        f"-t{spec.threads}",
        f"-c{spec.connections}",
        f"-d{max(1, round(spec.duration))}s",
        f"--timeout={max(1, round(spec.timeout))}s",
        "--latency",
        "-s",
        str(spec.script),
        spec.url,
    ]


def run_load(spec: LoadSpec) -> WrkResult:
    """Run wrk once (in its own process) and return its parsed summary."""
    wrk = find_wrk()
    env = {**os.environ, "BENCH_BODY": spec.body, "BENCH_AUTH": spec.authorization or ""}
    env.update(spec.extra_env)
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command(wrk, spec),
        env=env,
        capture_output=True,
        text=True,
        timeout=spec.duration + 60,
        check=False,
    )
    if done.returncode != 0:
        raise HarnessError(f"wrk exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return parse_output(done.stdout)
