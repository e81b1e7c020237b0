"""Benchmark settings, from environment variables (defaults follow issue 5)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOT_CLIENT_ID = "bench-bootstrap"
BOOT_CLIENT_SECRET = "bench-bootstrap-secret-0123456789abcdef"  # a throwaway bench database


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _list(name: str, default: str) -> tuple[str, ...]:
    raw = os.environ.get(name, default)
    return tuple(item.strip() for item in raw.split(",") if item.strip())


@dataclass(frozen=True, slots=True)
class BenchConfig:
    duration: float  # seconds of each timed run
    warmup: float  # seconds of load before each timed run, not counted
    connections: int
    threads: int
    workers: int  # server workers (Runegate, the ceiling and the peer alike)
    port: int  # Runegate; the ceiling uses port + 1, the peer port + 2
    backends: tuple[str, ...]
    scenarios: tuple[str, ...]
    parts: tuple[str, ...]  # "load" (wrk against the server), "roles" (bench/roles.py)
    pg_admin_url: str
    pg_database: str
    results: Path

    @classmethod
    def from_env(cls) -> BenchConfig:
        return cls(
            duration=_float("BENCH_DURATION", 20),
            warmup=_float("BENCH_WARMUP", 5),
            connections=_int("BENCH_CONNECTIONS", 32),
            threads=_int("BENCH_THREADS", 2),
            workers=_int("BENCH_WORKERS", 2),
            port=_int("BENCH_PORT", 18510),
            backends=_list("BENCH_BACKENDS", "sqlite,postgresql"),
            scenarios=_list("BENCH_SCENARIOS", "opaque,jwt_es256,jwt_rs256,introspection"),
            parts=_list("BENCH_PARTS", "load,roles"),
            pg_admin_url=os.environ.get(
                "BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
            ),
            pg_database=os.environ.get("BENCH_PG_DB", "runegate_bench_run"),
            results=Path(os.environ.get("BENCH_RESULTS", str(ROOT / "var/bench/latest.json"))),
        )

    def describe(self) -> str:
        return (
            f"{self.connections} connections, {self.threads} wrk threads, "
            f"{self.warmup:g} s warm-up + {self.duration:g} s per run, "
            f"{self.workers} server workers"
        )
