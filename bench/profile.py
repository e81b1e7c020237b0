"""Profile Runegate's workers under wrk load with py-spy: `python -m bench.profile [scenario]`.

Starts Runegate like `make bench` (first backend of BENCH_BACKENDS, default SQLite),
creates the same fixtures, drives one scenario (default `opaque`) and records every
worker with `py-spy record --gil` (samples of the thread holding the GIL: where the
Python CPU time goes). Prints self time by package, the top functions by self and by
inclusive time, and leaves the raw stacks (flamegraph input) in var/bench/.

py-spy is not a dependency: `.venv/bin/pip install py-spy`.
"""

from __future__ import annotations

import collections
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx

from bench.backends import drop_postgres
from bench.backends import postgres_backend
from bench.backends import sqlite_backend
from bench.config import ROOT
from bench.config import BenchConfig
from bench.run import say
from bench.run import scenarios
from bench.servers import base_url
from bench.servers import cli_setter
from bench.servers import start_runegate
from bench.wrk import HarnessError
from bench.wrk import LoadSpec
from bench.wrk import WrkResult
from bench.wrk import run_load

OUT = ROOT / "var/bench"
RATE = 250  # samples per second per worker


def find_py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise HarnessError("py-spy is not installed: .venv/bin/pip install py-spy")
    return found


def record(pids: list[int], seconds: int, prefix: str) -> list[Path]:
    """Run one py-spy per worker, in parallel, for `seconds`; return the raw files."""
    spy, files, procs = find_py_spy(), [], []
    for pid in pids:
        path = OUT / f"{prefix}-{pid}.txt"
        argv = [spy, "record", "-p", str(pid), "-d", str(seconds), "-r", str(RATE)]
        argv += ["--gil", "--nonblocking", "-f", "raw", "-o", str(path)]
        procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))  # noqa: S603
        files.append(path)
    for proc in procs:
        proc.wait(seconds + 60)
    return [path for path in files if path.exists()]


def package_of(frame: str) -> str:
    """`func (sqlalchemy/orm/session.py:2555)` -> `sqlalchemy`; stdlib files -> stdlib."""
    where = frame.rpartition("(")[2].rstrip(")")
    filename = where.rpartition(":")[0] or where
    head = filename.split("/", 1)[0]
    return head if "/" in filename and not head.endswith(".py") else "stdlib"


LAYERS = (  # (layer, fragments of the leaf frame's location), first match wins
    ("crypto (HMAC, JWS)", ("hmac.py", "hashlib", "joserfc/", "cryptography/", "crypto/")),
    ("middleware (Runegate)", ("runegate/tracing.py", "runegate/http/", "observability/")),
    ("logging + metrics", ("logging/", "prometheus_client/", "json/")),
    ("database", ("sqlalchemy/", "aiosqlite/", "asyncpg/", "sqlite3/", "runegate/storage/")),
    ("token service (Runegate)", ("runegate/",)),
    ("framework (Starlette, FastAPI)", ("starlette/", "fastapi/", "multipart/", "urllib/")),
    ("HTTP server + event loop", ("uvicorn/", "asyncio/", "httptools", "uvloop")),
)


def layer_of(frame: str) -> str:
    where = frame.rpartition("(")[2]
    for layer, fragments in LAYERS:
        if any(fragment in where for fragment in fragments):
            return layer
    return "other (stdlib: uuid, typing, ...)"


def is_startup(frames: list[str]) -> bool:
    """Samples of a worker (re)starting: module imports, not request handling."""
    # frames[0] is the `<module>` of `python -c "...spawn_main..."` in every worker.
    return any(f.startswith("<module>") or "importlib._bootstrap" in f for f in frames[1:])


def function_of(frame: str) -> str:
    """Drop the line number so samples add up per function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rpartition(':')[0] or where.rstrip(')')})"


def summarize(files: list[Path], top: int = 25) -> str:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    layers: collections.Counter[str] = collections.Counter()
    total = skipped = 0
    for path in files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames, n = stack.split(";"), int(count)
            if is_startup(frames):
                skipped += n
                continue
            total += n
            layers[layer_of(frames[-1])] += n
            own[function_of(frames[-1])] += n
            packages[package_of(frames[-1])] += n
            for name in {function_of(frame) for frame in frames}:
                inclusive[name] += n
    if not total:
        return "no samples"

    def block(title: str, counter: collections.Counter[str], limit: int) -> list[str]:
        rows = [f"{title}"]
        rows += [
            f"  {100 * n / total:5.1f}%  {name[:120]}" for name, n in counter.most_common(limit)
        ]
        return rows

    lines = [f"{total} samples (GIL holder, {RATE}/s per worker)"]
    if skipped:
        lines.append(f"({skipped} samples of a worker starting up were left out)")
    lines += block("self time by layer:", layers, 10)
    lines += block("self time by package:", packages, 12)
    lines += block("top functions, self time:", own, top)
    ours = collections.Counter({k: v for k, v in inclusive.items() if "runegate/" in k})
    lines += block("runegate functions, inclusive time:", ours, top)
    return "\n".join(lines)


def profile(cfg: BenchConfig, scenario: str, workdir: Path, db_url: str, backend: str) -> str:
    server, _ = start_runegate(cfg, db_url, workdir, setup=True, tag="profile")
    try:
        server.wait_workers(cfg.workers)
        with httpx.Client(base_url=base_url(cfg.port), timeout=10.0) as http:
            plan = scenarios(http, cfg, cli_setter(cfg, db_url, workdir))
        what = plan.get(scenario)
        if not isinstance(what, tuple):
            raise HarnessError(f"scenario {scenario}: {what or 'unknown'}")
        path, body, auth = what
        seconds = cfg.duration + cfg.warmup + 2
        url = base_url(cfg.port) + path
        spec = LoadSpec(url, body, auth, seconds, cfg.connections, cfg.threads)
        result: list[WrkResult] = []
        load = threading.Thread(target=lambda: result.append(run_load(spec)))
        load.start()
        threading.Event().wait(cfg.warmup + 1)
        OUT.mkdir(parents=True, exist_ok=True)
        files = record(server.worker_pids(), int(cfg.duration), f"profile-{backend}-{scenario}")
        load.join()
    finally:
        server.stop()
    done = result[0] if result else None
    head = f"{backend} {scenario}: "
    head += f"{done.rps:,.0f} req/s, p99 {done.p99_ms:.1f} ms under the profiler" if done else "?"
    return head + "\n" + summarize(files) + f"\nraw stacks: {', '.join(map(str, files))}"


def main() -> int:
    cfg = BenchConfig.from_env()
    scenario = sys.argv[1] if len(sys.argv) > 1 else "opaque"
    backend = cfg.backends[0]
    try:
        find_py_spy()
        with tempfile.TemporaryDirectory(prefix="runegate-profile-") as tmp:
            if backend == "postgresql":
                pg = postgres_backend(cfg)
                if isinstance(pg, str):
                    raise HarnessError(pg)
                try:
                    say(profile(cfg, scenario, Path(tmp), pg.url, backend))
                finally:
                    drop_postgres(cfg)
            else:
                say(profile(cfg, scenario, Path(tmp), sqlite_backend(Path(tmp)).url, backend))
    except HarnessError as exc:
        print(f"profile failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
