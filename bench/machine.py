"""What the numbers were measured on: CPU, memory, versions, commit."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC
from datetime import datetime
from pathlib import Path

from bench.config import ROOT
from bench.config import BenchConfig


def _first(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def _output(argv: list[str], cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed argv, no shell
            argv, capture_output=True, text=True, timeout=10, check=False, cwd=cwd
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if (done.stdout or done.stderr)
        else "?"
    )


def describe(cfg: BenchConfig) -> dict[str, object]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": _first("/proc/cpuinfo", "model name"),
        "cpus": os.cpu_count(),
        "memory": _first("/proc/meminfo", "MemTotal"),
        "python": platform.python_version(),
        "wrk": _output(["wrk", "-v"]),
        "commit": _output(["git", "rev-parse", "--short", "HEAD"], ROOT),
        "load": cfg.describe(),
        "loadavg_before": loadavg(),
    }


def loadavg() -> float:
    """The 1-minute load average: other work on the machine lowers and scatters figures."""
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return -1.0


def banner(meta: dict[str, object]) -> str:
    busy = ""
    load, cpus = meta["loadavg_before"], meta["cpus"]
    if isinstance(load, float) and isinstance(cpus, int) and load > 0.25 * cpus:
        busy = f"\nWARNING: load average {load:.2f} before the run: figures will be low and noisy"
    return (
        f"Runegate bench {meta['date']} at commit {meta['commit']}\n"
        f"machine: {meta['cpus']} x {meta['cpu']}, {meta['memory']} RAM; "
        f"Python {meta['python']}; {meta['wrk']}\n"
        f"load: {meta['load']}{busy}"
    )
