"""Timing a few kinds of request against a running server with wrk (`requests.lua`):
each kind is a list of pre-computed requests (GET paths, or form bodies to POST) from
which every request picks one at random. Used by `bench.scim_million` and
`bench.orgs_scale`; the server CPU per request is read from /proc around the timed run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.backends import database_url
from bench.backends import drop_database
from bench.backends import fresh_database
from bench.config import ROOT
from bench.config import BenchConfig
from bench.machine import describe as describe_machine
from bench.procs import ServerProcess
from bench.procs import cpu_seconds
from bench.procs import pids_matching
from bench.servers import free_port
from bench.wrk import LoadSpec
from bench.wrk import run_load

LUA = Path(__file__).with_name("requests.lua")


@dataclass(frozen=True, slots=True)
class Probe:
    """One kind of request: `lines` are GET paths, or form bodies POSTed to `post_path`."""

    name: str
    lines: list[str]
    authorization: str
    target_p99_ms: float
    post_path: str = ""
    accept: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # copied into the result


@dataclass(frozen=True, slots=True)
class Pace:
    duration: float = 15.0  # seconds of each timed run
    warmup: float = 3.0  # seconds of load before it, not counted
    connections: int = 2


def time_probe(
    url: str, probe: Probe, file: Path, pids: Callable[[], list[int]], pace: Pace
) -> dict[str, Any]:
    """Warm up, then one timed wrk run; `pids` are the processes doing the work (server
    workers and PostgreSQL backends): their CPU per request hardly moves with other load
    on the machine, unlike the latencies."""
    file.write_text("\n".join(probe.lines) + "\n")
    env = [("BENCH_PATHS", str(file)), ("BENCH_ACCEPT", probe.accept)]
    if probe.post_path:
        env.append(("BENCH_METHOD", "POST"))
    spec = LoadSpec(
        url + probe.post_path,
        "",
        probe.authorization,
        duration=probe_seconds(pace.warmup),
        connections=pace.connections,
        threads=min(2, pace.connections),
        script=LUA,
        extra_env=tuple(env),
    )
    run_load(spec)
    workers = pids()
    cpu_before = cpu_seconds(workers)
    got = run_load(replace(spec, duration=pace.duration))
    cpu_ms = 1000 * (cpu_seconds(workers) - cpu_before) / max(got.requests, 1)
    return {
        "requests": got.requests,
        "rps": round(got.rps, 1),
        "errors": got.errors,
        "p50_ms": round(got.p50_ms, 2),
        "p90_ms": round(got.p90_ms, 2),
        "p99_ms": round(got.p99_ms, 2),
        "cpu_ms_per_request": round(cpu_ms, 2),
        "target_p99_ms": probe.target_p99_ms,
        **probe.extra,
    }


def probe_seconds(seconds: float) -> float:
    """wrk runs whole seconds, at least one."""
    return max(1.0, float(round(seconds)))


def verdict(result: dict[str, Any]) -> str:
    """PASS when the p99 is within the target and nothing failed."""
    ok = result["errors"] == 0 and result["p99_ms"] <= result["target_p99_ms"]
    return "PASS" if ok else "MISS"


def work_pids(server: ServerProcess, database: str) -> Callable[[], list[int]]:
    """The processes doing the work: the server's workers and the PostgreSQL backends
    of `database`."""

    def pids() -> list[int]:
        return server.worker_pids() + pids_matching(f" {database} ")

    return pids


def save(report: dict[str, Any], filename: str) -> Path:
    """Write the figures to var/bench/`filename`."""
    out = ROOT / "var/bench" / filename
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    return out


@dataclass(frozen=True, slots=True)
class Scratch:
    """A bench run on its own PostgreSQL database (on the server of BENCH_PG_URL)."""

    admin_url: str
    name: str
    dsn: str
    cfg: BenchConfig  # BENCH_* settings, on a free port
    report: dict[str, Any]  # starts with the machine's description


@contextmanager
def scratch(
    name: str, filename: str, *, fresh: bool = True, keep: bool = False, **facts: Any
) -> Iterator[Scratch]:
    """Drop and create the database `name` (unless `fresh` is false) and describe the run;
    at the end drop the database (unless `keep`) and save the report to var/bench/`filename`."""
    admin = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    dsn = database_url(admin, name)
    if fresh:
        fresh_database(admin, name)
    cfg = replace(BenchConfig.from_env(), port=free_port())
    run = Scratch(admin, name, dsn, cfg, {"machine": describe_machine(cfg), **facts})
    try:
        yield run
    finally:
        if not keep:
            drop_database(admin, name)
    save(run.report, filename)
