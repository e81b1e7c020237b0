"""Soak (issue 14, item 6): mixed traffic against two Runegate nodes on one PostgreSQL.

    .venv/bin/python -m bench.soak          # = make bench-soak

Two `runegate serve` processes (nodes A and B, BENCH_WORKERS workers each, default 2)
share a fresh PostgreSQL database (BENCH_SOAK_DB, default `runegate_bench_soak`, on the
server of BENCH_PG_URL) and listen on loopback only. A load generator in this process
(asyncio + httpx, BENCH_SOAK_CONCURRENCY requests in flight, default 16, alternating
between the nodes) sends for BENCH_SOAK_SECONDS (default 600) a fixed mix:
client_credentials tokens, introspection of those tokens, SCIM reads (userName eq),
SCIM writes (create then delete a user) and sign-ins (password grant, argon2id).
Every BENCH_SOAK_SAMPLE seconds (default 30) it samples the resident memory of every
worker of both nodes. It prints, and writes to var/bench/soak.json, the throughput, the
p50/p99 and the error count of each operation, and memory per worker over time.

The generator is bounded (fixed concurrency, no retries) and talks to 127.0.0.1 only.
Rate limits are lifted for the run (like `make bench`); lockout is unaffected because
every sign-in uses the right password. Exit status is non-zero only when the harness
fails, never for a missed target.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx

from bench import fixtures
from bench.backends import drop_postgres
from bench.backends import postgres_backend
from bench.config import BOOT_CLIENT_ID
from bench.config import BOOT_CLIENT_SECRET
from bench.config import ROOT
from bench.config import BenchConfig
from bench.machine import describe as describe_machine
from bench.machine import loadavg
from bench.procs import ServerProcess
from bench.servers import base_url
from bench.servers import start_runegate
from bench.wrk import HarnessError

ORG = fixtures.ORG
USERS = f"/t/{ORG}/scim2/Users"
SCIM_SCOPES = " ".join(f"internal_user_mgt_{verb}" for verb in ("list", "view", "create", "delete"))
PASSWORD = "Soak-passw0rd-1"
SIGNIN_USERS = 20
# Operation -> share of requests (sign-ins are argon2id verifications: kept rare).
MIX = {"token": 40, "introspect": 27, "scim_read": 20, "scim_write": 10, "signin": 3}
TARGET_RSS_MB = 150.0


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class OpStats:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""

    def record(self, seconds: float, ok: bool, problem: str = "") -> None:
        self.latencies.append(seconds)
        if not ok:
            self.errors += 1
            self.first_error = self.first_error or problem[:200]

    def summary(self, elapsed: float) -> dict[str, Any]:
        values = sorted(self.latencies)
        if not values:
            return {"requests": 0, "errors": self.errors}
        p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
        return {
            "requests": len(values),
            "rps": round(len(values) / elapsed, 1),
            "errors": self.errors,
            "p50_ms": round(statistics.median(values) * 1000, 2),
            "p99_ms": round(p99 * 1000, 2),
            **({"first_error": self.first_error} if self.first_error else {}),
        }


@dataclass(frozen=True)
class Fixture:
    client: fixtures.Client  # M2M app authorized for the bench scope
    signin: fixtures.Client  # app with the password grant
    scim: dict[str, str]  # bearer headers with the SCIM scopes
    user_names: tuple[str, ...]


def _ok(answer: httpx.Response, what: str) -> dict[str, Any]:
    if answer.status_code not in (200, 201):
        raise HarnessError(f"{what}: {answer.status_code} {answer.text[:300]}")
    return dict(answer.json()) if answer.content else {}


def prepare(http: httpx.Client) -> Fixture:
    """The apps and users of the run, through the public APIs of node A."""
    boot = fixtures.Client("bootstrap", BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
    admin = fixtures.admin_headers(http, boot)
    api_id = fixtures.create_api(http, admin)
    client = fixtures.create_client(http, admin, "soak-m2m", api_id)
    body = {
        "name": "soak-signin",
        "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
    }
    app = _ok(http.post(fixtures.APPS, json=body, headers=admin), "create sign-in application")
    me = _ok(
        http.get(fixtures.APIS, params={"filter": "identifier eq /scim2/Me"}, headers=admin),
        "find the /scim2/Me API resource",
    )["APIResources"][0]["id"]
    grant = {"id": me, "policyIdentifier": "RBAC", "scopes": ["internal_login"]}
    _ok(
        http.post(f"{fixtures.APPS}/{app['id']}/authorized-apis", json=grant, headers=admin),
        "authorize /scim2/Me",
    )
    signin = fixtures.Client(
        "soak-signin", str(app["clientId"]), str(app["clientSecret"]), str(app["id"])
    )
    scope_body = f"grant_type=client_credentials&scope={SCIM_SCOPES.replace(' ', '+')}"
    token = _ok(fixtures.token_response(http, boot.authorization, scope_body), "SCIM token")
    scim = {"Authorization": f"Bearer {token['access_token']}"}
    names = tuple(f"soak.user{i:03d}" for i in range(SIGNIN_USERS))
    for name in names:
        user = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": name,
            "password": PASSWORD,
            "emails": [{"value": f"{name}@example.com", "primary": True}],
        }
        _ok(http.post(USERS, json=user, headers=scim), f"create user {name}")
    return Fixture(client, signin, scim, names)


class Load:
    """The bounded mixed-traffic generator."""

    def __init__(self, fx: Fixture, urls: list[str], concurrency: int) -> None:
        self.fx = fx
        self.urls = urls
        self.concurrency = concurrency
        self.stats = {op: OpStats() for op in MIX}
        self.tokens: list[str] = []
        self.ops = [op for op, weight in MIX.items() for _ in range(weight)]
        self.rng = random.Random(20261128)

    async def _call(self, op: str, http: httpx.AsyncClient) -> tuple[bool, str]:
        fx, form = self.fx, {"Content-Type": "application/x-www-form-urlencoded"}
        if op == "token" or (op == "introspect" and not self.tokens):
            headers = {"Authorization": fx.client.authorization, **form}
            answer = await http.post(fixtures.TOKEN, content=fixtures.GRANT_BODY, headers=headers)
            if answer.status_code == 200:
                self.tokens.append(answer.json()["access_token"])
                del self.tokens[:-200]
            return answer.status_code == 200, answer.text
        if op == "introspect":
            headers = {"Authorization": fx.client.authorization, **form}
            body = f"token={self.rng.choice(self.tokens)}"
            answer = await http.post(fixtures.INTROSPECT, content=body, headers=headers)
            return answer.status_code == 200 and answer.json().get("active") is True, answer.text
        if op == "scim_read":
            name = self.rng.choice(fx.user_names)
            params = {"filter": f'userName eq "{name}"'}
            answer = await http.get(USERS, params=params, headers=fx.scim)
            return answer.status_code == 200 and answer.json().get("totalResults") == 1, answer.text
        if op == "scim_write":
            name = f"soak.tmp.{secrets.token_hex(6)}"
            user = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name}
            created = await http.post(USERS, json=user, headers=fx.scim)
            if created.status_code != 201:
                return False, created.text
            gone = await http.delete(f"{USERS}/{created.json()['id']}", headers=fx.scim)
            return gone.status_code == 204, gone.text
        data = {
            "grant_type": "password",
            "username": self.rng.choice(fx.user_names),
            "password": PASSWORD,
            "scope": "internal_login",
        }
        headers = {"Authorization": fx.signin.authorization}
        answer = await http.post(fixtures.TOKEN, data=data, headers=headers)
        return answer.status_code == 200, answer.text

    async def _worker(self, index: int, until: float) -> None:
        limits = httpx.Limits(max_connections=1)
        url = self.urls[index % len(self.urls)]
        async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as http:
            while time.monotonic() < until:
                op = self.rng.choice(self.ops)
                started = time.perf_counter()
                try:
                    ok, said = await self._call(op, http)
                except httpx.HTTPError as exc:
                    ok, said = False, repr(exc)
                self.stats[op].record(time.perf_counter() - started, ok, said)

    async def run(
        self, seconds: float, sample_every: float, nodes: list[ServerProcess]
    ) -> list[dict[str, Any]]:
        until = time.monotonic() + seconds
        started = time.monotonic()
        workers = [asyncio.create_task(self._worker(i, until)) for i in range(self.concurrency)]
        samples: list[dict[str, Any]] = []
        done_before = 0
        while time.monotonic() < until:
            await asyncio.sleep(min(sample_every, max(0.0, until - time.monotonic())))
            done = sum(len(s.latencies) for s in self.stats.values())
            samples.append(
                {
                    "t_s": round(time.monotonic() - started),
                    "rps": round((done - done_before) / sample_every, 1),
                    "errors": sum(s.errors for s in self.stats.values()),
                    "rss_mb": {n.name: [round(r, 1) for r in n.worker_rss_mb()] for n in nodes},
                    "loadavg": loadavg(),
                }
            )
            done_before = done
            print(json.dumps(samples[-1]), flush=True)
        await asyncio.gather(*workers)
        return samples


def _floor(samples: list[dict[str, Any]]) -> float:
    """The highest per-worker minimum RSS over `samples` (workers matched by position)."""
    per_worker: dict[tuple[str, int], float] = {}
    for sample in samples:
        for node, values in sample["rss_mb"].items():
            for i, value in enumerate(values):
                key = (node, i)
                per_worker[key] = min(per_worker.get(key, value), value)
    return max(per_worker.values(), default=0.0)


def main() -> int:
    cfg = BenchConfig.from_env()
    cfg = replace(cfg, pg_database=os.environ.get("BENCH_SOAK_DB", "runegate_bench_soak"))
    seconds = float(os.environ.get("BENCH_SOAK_SECONDS", 600))
    sample_every = float(os.environ.get("BENCH_SOAK_SAMPLE", 30))
    concurrency = _int("BENCH_SOAK_CONCURRENCY", 16)
    backend = postgres_backend(cfg)
    if isinstance(backend, str):
        raise HarnessError(backend)
    nodes: list[ServerProcess] = []
    try:
        with tempfile.TemporaryDirectory(prefix="runegate-soak-") as tmp:
            work = Path(tmp)
            for tag, port, setup in (("A", cfg.port, True), ("B", cfg.port + 10, False)):
                # One working directory: both nodes read the same generated secret key.
                node_cfg = replace(cfg, port=port)
                server, _first = start_runegate(node_cfg, backend.url, work, setup=setup, tag=tag)
                server.name = f"node {tag}"
                nodes.append(server)
                server.wait_workers(cfg.workers)
            urls = [base_url(cfg.port), base_url(cfg.port + 10)]
            with httpx.Client(base_url=urls[0], timeout=30.0) as http:
                fx = prepare(http)
            load = Load(fx, urls, concurrency)
            before = loadavg()
            samples = asyncio.run(load.run(seconds, sample_every, nodes))
            elapsed = seconds
            rss = [r for s in samples for rs in s["rss_mb"].values() for r in rs]
            first = [r for rs in samples[0]["rss_mb"].values() for r in rs] if samples else []
            last = [r for rs in samples[-1]["rss_mb"].values() for r in rs] if samples else []
            ops = {op: st.summary(elapsed) for op, st in load.stats.items()}
            total = sum(len(s.latencies) for s in load.stats.values())
            report = {
                "machine": describe_machine(cfg),
                "settings": {
                    "seconds": seconds,
                    "concurrency": concurrency,
                    "nodes": 2,
                    "workers_per_node": cfg.workers,
                    "database": "postgresql",
                    "mix_percent": MIX,
                },
                "loadavg_before": before,
                "loadavg_after": loadavg(),
                "total": {
                    "requests": total,
                    "rps": round(total / elapsed, 1),
                    "errors": sum(s.errors for s in load.stats.values()),
                },
                "operations": ops,
                "memory": {
                    "max_worker_rss_mb": max(rss, default=0.0),
                    # argon2id holds a 64 MiB buffer while it verifies: a worker's floor
                    # (lowest sample) in the first and the last third shows growth.
                    "floor_first_third_mb": _floor(samples[: max(1, len(samples) // 3)]),
                    "floor_last_third_mb": _floor(samples[-max(1, len(samples) // 3) :]),
                    "first_sample_mb": first,
                    "last_sample_mb": last,
                    "target_mb": TARGET_RSS_MB,
                },
                "samples": samples,
            }
            out = ROOT / "var/bench/soak.json"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(report, indent=2))
            print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2))
    finally:
        for server in nodes:
            server.stop()
        drop_postgres(cfg)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HarnessError as exc:
        print(f"soak harness failed: {exc}", file=sys.stderr)
        sys.exit(2)
