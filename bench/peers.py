"""`make bench-peers`: Runegate next to node oidc-provider, same machine, same wrk script.

oidc-provider (npm) is installed once into `var/bench-peers/` and run with node's cluster
module with as many workers as Runegate, an equivalent client_credentials client and its
in-memory store. Runegate runs on SQLite (BENCH_BACKENDS to change) and persists every
token. Printed: both sides' figures, each as a ratio to the same-stack ceiling, and
Runegate's ratio to the peer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench import fixtures
from bench import machine
from bench.backends import sqlite_backend
from bench.config import ROOT
from bench.config import BenchConfig
from bench.procs import ServerProcess
from bench.procs import spawn
from bench.procs import wait_until
from bench.report import LABELS
from bench.run import measure
from bench.run import measure_ceiling
from bench.run import run_backend
from bench.run import say
from bench.servers import base_url
from bench.wrk import HarnessError
from bench.wrk import LoadSpec
from bench.wrk import WrkResult
from bench.wrk import find_wrk
from bench.wrk import run_load

PEER_DIR = ROOT / "var/bench-peers"
PEER_PACKAGE = "oidc-provider@9.13.3"
PEER_SCRIPT = Path(__file__).with_name("peer_oidc_provider.mjs")
PEER_ID, PEER_SECRET = "bench-peer", "bench-peer-secret-0123456789abcdef"
PEER_TOKEN = "/token"
PEER_SCENARIOS = ("opaque", "jwt_es256", "introspection")


def install_peer() -> Path:
    """npm-install oidc-provider into var/bench-peers (once); return the script to run."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise HarnessError("node and npm are needed: apt-get install nodejs npm (node >= 20)")
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    manifest = PEER_DIR / "node_modules/oidc-provider/package.json"
    version = PEER_PACKAGE.rpartition("@")[2]
    if not manifest.exists() or f'"version": "{version}"' not in manifest.read_text():
        say(f">> npm install {PEER_PACKAGE} into {PEER_DIR}")
        package = PEER_DIR / "package.json"
        if not package.exists():
            package.write_text('{"name": "runegate-bench-peers", "private": true}\n')
        argv = ["npm", "install", "--no-audit", "--no-fund", PEER_PACKAGE]
        done = subprocess.run(argv, cwd=PEER_DIR, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise HarnessError(f"npm install failed:\n{done.stderr[-2000:]}")
    # ESM resolves packages next to the script, so the script runs from PEER_DIR.
    script = PEER_DIR / PEER_SCRIPT.name
    shutil.copyfile(PEER_SCRIPT, script)
    return script


def start_peer(cfg: BenchConfig, script: Path, workdir: Path) -> ServerProcess:
    env = dict(os.environ)
    env.update(
        PEER_PORT=str(cfg.port + 2),
        PEER_WORKERS=str(cfg.workers),
        PEER_CLIENT_ID=PEER_ID,
        PEER_CLIENT_SECRET=PEER_SECRET,
        NODE_ENV="production",
    )
    server = spawn(
        "oidc-provider", ["node", str(script)], env=env, cwd=PEER_DIR, log_path=workdir / "peer.log"
    )
    server.worker_marker = script.name
    http = httpx.Client(base_url=base_url(cfg.port + 2), timeout=2.0)
    auth = fixtures.basic(PEER_ID, PEER_SECRET)

    def token_served() -> bool:
        try:
            return fixtures.token_response(http, auth, path=PEER_TOKEN).status_code == 200
        except httpx.TransportError:
            return False

    try:
        wait_until(server, token_served, timeout=60, what="first token")
    except BaseException:
        server.stop()
        raise
    finally:
        http.close()
    return server


def peer_plan(cfg: BenchConfig) -> dict[str, tuple[str, str]]:
    """Scenario -> (path, body) on the peer, each checked once before the load."""
    auth = fixtures.basic(PEER_ID, PEER_SECRET)
    with httpx.Client(base_url=base_url(cfg.port + 2), timeout=5.0) as http:
        opaque = fixtures.token_response(http, auth, path=PEER_TOKEN).json()
        jwt_body = f"{fixtures.GRANT_BODY}&resource={fixtures.API_IDENTIFIER}"
        jwt = fixtures.token_response(http, auth, jwt_body, PEER_TOKEN).json()
        if fixtures.jwt_alg(str(jwt.get("access_token", ""))) != "ES256":
            raise HarnessError(f"the peer issued no ES256 JWT: {jwt}")
        introspect_body = f"token={opaque['access_token']}&token_type_hint=access_token"
        headers = {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}
        active = http.post("/token/introspection", content=introspect_body, headers=headers)
        if active.status_code != 200 or active.json().get("active") is not True:
            raise HarnessError(f"peer introspection: {active.status_code} {active.text[:200]}")
    plan = {
        "opaque": (PEER_TOKEN, fixtures.GRANT_BODY),
        "jwt_es256": (PEER_TOKEN, jwt_body),
        "introspection": ("/token/introspection", introspect_body),
    }
    return {name: plan[name] for name in cfg.scenarios if name in plan}


def measure_peer(
    cfg: BenchConfig, script: Path, workdir: Path
) -> tuple[dict[str, WrkResult], list[float]]:
    server = start_peer(cfg, script, workdir)
    try:
        server.wait_workers(cfg.workers)
        rss = server.worker_rss_mb()
        auth = fixtures.basic(PEER_ID, PEER_SECRET)
        plan = peer_plan(cfg)
        # V8 compiles hot code lazily: without a pass over every scenario first, the first
        # one measured runs at half speed (seen with 5 s warm-ups).
        say(f">> oidc-provider: {cfg.warmup:g} s of JIT warm-up per scenario")
        for path, body in plan.values():
            url = base_url(cfg.port + 2) + path
            run_load(LoadSpec(url, body, auth, cfg.warmup, cfg.connections, cfg.threads))
        results = {
            name: measure(
                cfg,
                base_url(cfg.port + 2) + path,
                body,
                auth,
                f"oidc-provider {name}",
                server.worker_pids,
            )
            for name, (path, body) in plan.items()
        }
    finally:
        server.stop()
    return results, rss


def print_comparison(
    ceiling: WrkResult,
    runegate: dict[str, WrkResult | None],
    peer: dict[str, WrkResult],
    backend: str,
) -> None:
    head = f"  {'':<30} {'Runegate':>9} {'peer':>9} {'Rg/ceil':>8} {'peer/ceil':>9} {'Rg/peer':>8}"
    say(f"\nRunegate ({backend}, every token persisted) vs oidc-provider (in memory), req/s:")
    say(f"  ceiling (bare form POST, same stack): {ceiling.rps:,.0f} req/s")
    say(head)
    for name, theirs in peer.items():
        ours = runegate.get(name)
        label = LABELS.get(name, name)
        if ours is None:
            share = theirs.rps / ceiling.rps
            say(f"  {label:<30} {'-':>9} {theirs.rps:>9,.0f} {'-':>8} {share:>9.2f} {'-':>8}")
            continue
        say(
            f"  {label:<30} {ours.rps:>9,.0f} {theirs.rps:>9,.0f} {ours.rps / ceiling.rps:>8.2f}"
            f" {theirs.rps / ceiling.rps:>9.2f} {ours.rps / theirs.rps:>8.2f}"
        )
    for metric, attr in (("p99 ms", "p99_ms"), ("server CPU ms/req", "cpu_ms_per_req")):
        pairs = [
            f"{name} {getattr(ours, attr):.2f} / {getattr(theirs, attr):.2f}"
            for name, theirs in peer.items()
            if (ours := runegate.get(name)) is not None
        ]
        say(f"  {metric} (Runegate / peer): {', '.join(pairs)}")


def main() -> int:
    defaults = {"BENCH_SCENARIOS": ",".join(PEER_SCENARIOS), "BENCH_BACKENDS": "sqlite"}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    cfg = BenchConfig.from_env()
    try:
        find_wrk()
        script = install_peer()
    except HarnessError as exc:
        print(exc, file=sys.stderr)
        return 2
    say(machine.banner(machine.describe(cfg)))
    try:
        with tempfile.TemporaryDirectory(prefix="runegate-peers-") as tmp:
            workdir = Path(tmp)
            (workdir / "sqlite").mkdir()
            ceiling = measure_ceiling(cfg, workdir)
            peer, peer_rss = measure_peer(cfg, script, workdir)
            rep = run_backend(cfg, sqlite_backend(workdir / "sqlite"), workdir / "sqlite")
    except HarnessError as exc:
        print(f"bench harness failed: {exc}", file=sys.stderr)
        return 1
    ours = {
        name: (run.result if run else None) for name, run in ((n, rep.runs.get(n)) for n in peer)
    }
    print_comparison(ceiling, ours, peer, rep.backend)
    say(
        f"  RSS per worker: Runegate {', '.join(f'{m:.0f}' for m in rep.idle_rss_mb)} MB idle; "
        f"oidc-provider {', '.join(f'{m:.0f}' for m in peer_rss)} MB idle"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
