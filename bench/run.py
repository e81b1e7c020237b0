"""`make bench`: Runegate's token endpoint under load, as ratios to the same-stack ceiling.

Order: the ceiling app; then for SQLite and PostgreSQL a fresh database, `runegate serve
--setup` (time to the first token), fixtures through the public APIs, idle RSS, the load
scenarios, and a restart with plain `runegate serve` (time to the first token again).
Then the "roles" part (bench/roles.py, in process): the time a user's 50 roles through
20 groups add to token issuance. `BENCH_PARTS=roles` (or `load`) runs one part only.
Before anything starts, Runegate's own modules are byte-compiled (`compileall`), as an
installed package is: with PYTHONDONTWRITEBYTECODE set (this machine sets it) an editable
install otherwise recompiles every module in every worker at every start.
Exit status is non-zero only when the harness fails, never for a missed target.
"""

from __future__ import annotations

import compileall
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx

from bench import fixtures
from bench import machine
from bench import roles
from bench.backends import Backend
from bench.backends import drop_postgres
from bench.backends import postgres_backend
from bench.backends import sqlite_backend
from bench.ceiling_app import PATH as CEILING_PATH
from bench.config import BOOT_CLIENT_ID
from bench.config import BOOT_CLIENT_SECRET
from bench.config import ROOT
from bench.config import BenchConfig
from bench.procs import cpu_seconds
from bench.procs import pids_matching
from bench.report import LEGEND
from bench.report import BackendReport
from bench.report import Measurement
from bench.report import format_targets
from bench.report import save
from bench.report import table
from bench.report import targets
from bench.servers import base_url
from bench.servers import cli_setter
from bench.servers import start_ceiling
from bench.servers import start_runegate
from bench.wrk import HarnessError
from bench.wrk import LoadSpec
from bench.wrk import WrkResult
from bench.wrk import find_wrk
from bench.wrk import run_load


def say(text: str) -> None:
    print(text, flush=True)


def measure(
    cfg: BenchConfig,
    url: str,
    body: str,
    auth: str | None,
    label: str,
    pids: Callable[[], list[int]],
    helpers: Callable[[], list[int]] = list,
) -> WrkResult:
    """Warm-up (discarded), then the timed run.

    `pids` are the server's workers, `helpers` other processes doing its work (PostgreSQL
    backends): both count for CPU; replaced workers and new backends are reported.
    """
    say(f">> {label}: {cfg.warmup:g} s warm-up, {cfg.duration:g} s run")
    spec = LoadSpec(url, body, auth, cfg.warmup, cfg.connections, cfg.threads)
    if cfg.warmup > 0:
        run_load(spec)
    timed = LoadSpec(url, body, auth, cfg.duration, cfg.connections, cfg.threads)
    workers, others = pids(), helpers()
    cpu_before = cpu_seconds(workers + others)
    result = run_load(timed)
    cpu = cpu_seconds(workers + others) - cpu_before
    restarts = len(set(workers) - set(pids()))
    new_helpers = len(set(helpers()) - set(others))
    cpu_ms = 1000 * cpu / max(result.requests, 1)
    result = replace(
        result, cpu_ms_per_req=cpu_ms, worker_restarts=restarts, new_helpers=new_helpers
    )
    say(
        f"   {result.rps:,.0f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms, "
        f"errors {result.errors}, server CPU {result.cpu_ms_per_req:.2f} ms/req"
        + (f"; WARNING: {restarts} worker(s) restarted during the run" if restarts else "")
        + (f"; {new_helpers} new database connection(s)" if new_helpers else "")
    )
    return result


def measure_ceiling(cfg: BenchConfig, workdir: Path) -> WrkResult:
    say(">> starting the ceiling app (uvicorn + Starlette, bench/ceiling_app.py)")
    server = start_ceiling(cfg, workdir)
    try:
        server.wait_workers(cfg.workers)
        url = base_url(cfg.port + 1) + CEILING_PATH
        return measure(cfg, url, fixtures.GRANT_BODY, None, "ceiling", server.worker_pids)
    finally:
        server.stop()


Plan = dict[str, tuple[str, str, str] | str]


def scenarios(
    http: httpx.Client, cfg: BenchConfig, set_alg: Callable[[str, str], str] | None = None
) -> Plan:
    """Scenario -> (path, body, authorization), or the reason it is not available."""
    boot = fixtures.Client("bootstrap", BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
    headers = fixtures.admin_headers(http, boot)
    api_id = fixtures.create_api(http, headers)
    opaque = fixtures.create_client(http, headers, "bench-opaque", api_id)
    token = fixtures.opaque_token(http, opaque)
    found: Plan = {"opaque": (fixtures.TOKEN, fixtures.GRANT_BODY, opaque.authorization)}
    for alg in ("ES256", "RS256"):
        if f"jwt_{alg.lower()}" in cfg.scenarios:
            variant = fixtures.make_jwt_variant(http, headers, api_id, alg, set_alg)
            found[f"jwt_{alg.lower()}"] = (
                (fixtures.TOKEN, fixtures.GRANT_BODY, variant.client.authorization)
                if variant.client
                else f"not available yet: {variant.note}"
            )
    problem = fixtures.introspection_works(http, opaque, token)
    found["introspection"] = (
        f"not available yet: {problem}"
        if problem
        else (
            fixtures.INTROSPECT,
            f"token={token}&token_type_hint=access_token",
            opaque.authorization,
        )
    )
    return {name: found[name] for name in cfg.scenarios if name in found}


def run_backend(cfg: BenchConfig, backend: Backend, workdir: Path) -> BackendReport:
    rep = BackendReport(backend.name)
    say(f">> {backend.name}: runegate serve --setup ({cfg.workers} workers), fresh database")
    server, rep.cold_start_s = start_runegate(
        cfg, backend.url, workdir, setup=True, tag=f"{backend.name}-cold"
    )
    try:
        say(f"   first token after {rep.cold_start_s:.2f} s")
        server.wait_workers(cfg.workers)
        with httpx.Client(base_url=base_url(cfg.port), timeout=10.0) as http:
            plan = scenarios(http, cfg, cli_setter(cfg, backend.url, workdir))
        time.sleep(1.0)  # let the workers settle before reading idle memory
        rep.idle_rss_mb = server.worker_rss_mb()

        def pg_backends() -> list[int]:
            database = backend.url.rpartition("/")[2]
            return pids_matching(f" {database} ") if backend.name == "postgresql" else []

        for name, what in plan.items():
            if isinstance(what, str):
                say(f">> {backend.name} {name}: {what}")
                rep.runs[name] = Measurement(name, None, what)
                continue
            path, body, auth = what
            url = base_url(cfg.port) + path
            label = f"{backend.name} {name}"
            result = measure(cfg, url, body, auth, label, server.worker_pids, pg_backends)
            rep.runs[name] = Measurement(name, result)
        rep.loaded_rss_mb = server.worker_rss_mb()
    finally:
        server.stop()
    say(f">> {backend.name}: restart with plain runegate serve on the same database")
    server, rep.restart_s = start_runegate(
        cfg, backend.url, workdir, setup=False, tag=f"{backend.name}-restart"
    )
    server.stop()
    say(f"   first token after {rep.restart_s:.2f} s")
    return rep


def run_all(cfg: BenchConfig, workdir: Path) -> tuple[WrkResult, list[BackendReport]]:
    ceiling = measure_ceiling(cfg, workdir)
    reports = []
    for name in cfg.backends:
        if name == "sqlite":
            reports.append(run_backend(cfg, sqlite_backend(workdir), workdir / "sqlite"))
            continue
        if name != "postgresql":
            raise HarnessError(f"unknown backend {name!r} in BENCH_BACKENDS")
        backend = postgres_backend(cfg)
        if isinstance(backend, str):
            say(f">> postgresql skipped: {backend}")
            reports.append(BackendReport("postgresql", note=f"skipped: {backend}"))
            continue
        try:
            reports.append(run_backend(cfg, backend, workdir / "postgresql"))
        finally:
            drop_postgres(cfg)
    return ceiling, reports


def run_roles(cfg: BenchConfig) -> None:
    """The roles part, on each backend of BENCH_BACKENDS (a fresh database each)."""
    results = []
    for name in cfg.backends:
        say(f">> roles: {name}, a user with 50 roles through 20 groups")
        if name == "sqlite":
            with tempfile.TemporaryDirectory(prefix="runegate-bench-") as tmp:
                results.append(roles.run(sqlite_backend(Path(tmp))))
            continue
        backend = postgres_backend(cfg)
        if isinstance(backend, str):
            say(f">> roles on postgresql skipped: {backend}")
            continue
        try:
            results.append(roles.run(backend))
        finally:
            drop_postgres(cfg)
    say("\nRoles (issue 7): time the roles add to token issuance")
    say(roles.report(results))
    path = cfg.results.with_name("roles.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(roles.as_json(results), indent=2))
    say(f"raw results: {path}")


def main() -> int:
    cfg = BenchConfig.from_env()
    if "load" in cfg.parts:
        status = run_load_part(cfg)
        if status:
            return status
    if "roles" in cfg.parts:
        run_roles(cfg)
    return 0


def run_load_part(cfg: BenchConfig) -> int:
    try:
        find_wrk()
    except HarnessError as exc:
        print(exc, file=sys.stderr)
        return 2
    meta = machine.describe(cfg)
    say(machine.banner(meta))
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    try:
        with tempfile.TemporaryDirectory(prefix="runegate-bench-") as tmp:
            workdir = Path(tmp)
            for sub in ("sqlite", "postgresql"):
                (workdir / sub).mkdir()
            ceiling, reports = run_all(cfg, workdir)
    except HarnessError as exc:
        print(f"bench harness failed: {exc}", file=sys.stderr)
        return 1
    say("\nResults:")
    say(table(ceiling, reports))
    say(LEGEND)
    say("\nTargets (issue 5):")
    say(format_targets(targets(ceiling, reports)))
    save(cfg.results, meta, ceiling, reports)
    say(f"\nraw results: {cfg.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
