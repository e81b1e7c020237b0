"""B2B organizations at scale (issue 11, item 8): 10,000 sub-organizations in a tree of
depth 5 on PostgreSQL, timed through HTTP.

    .venv/bin/python -m bench.orgs_scale [organizations]     # default 10,000

Steps: create the scratch database BENCH_ORGS_DB (default `runegate_bench_orgs`) on the
server of BENCH_PG_URL; start `runegate serve --setup` on it (BENCH_WORKERS workers,
default 2); bulk-load the sub-organizations of the `default` root organization with COPY
(a balanced tree: with the smallest fan-out f whose five full levels hold them all,
levels 1 to 4 are full, f to f^4 organizations, and level 5 takes the rest: 7, 49, 343,
2,401 and 7,200 for 10,000), then create BENCH_ORGS_API (default 10) of the depth-5
organizations through the API (so they are provisioned like any other: system API
resources, Administrator role); an application with the organization switch grant,
authorized for the `/o/` APIs and shared with all children; BENCH_ORGS_USERS users
(default 1,000) in each of three of the API-created organizations (COPY, as
`bench.scim_million`). Every measured request goes over HTTP to the real server: wrk
(bench/requests.lua), BENCH_ORGS_DURATION seconds per request kind (default 10) after a
2 s warm-up, for each connection count of BENCH_ORGS_CONNECTIONS (default "1": one
sequential client; e.g. "1,4"). Prints a table with PASS/MISS against the 20 ms p99
target and the figures as JSON (also var/bench/orgs_scale.json); the database is dropped
unless BENCH_ORGS_KEEP=1. The exit status is non-zero only when the harness fails, never
for a missed target.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode

import asyncpg
import httpx

from bench import fixtures
from bench.config import BOOT_CLIENT_ID
from bench.config import BOOT_CLIENT_SECRET
from bench.config import ROOT
from bench.machine import loadavg
from bench.probes import Pace
from bench.probes import Probe
from bench.probes import Scratch
from bench.probes import scratch
from bench.probes import time_probe
from bench.probes import verdict
from bench.probes import work_pids
from bench.procs import ServerProcess
from bench.scim_million import load as load_users
from bench.scim_million import person
from bench.servers import base_url
from bench.servers import start_runegate
from bench.wrk import HarnessError

ROOT_ORG = "default"
ORGS = f"/t/{ROOT_ORG}/api/server/v1/organizations"
O_ORGS = f"/t/{ROOT_ORG}/o/api/server/v1/organizations"
O_USERS = f"/t/{ROOT_ORG}/o/scim2/Users"
APPS = f"/t/{ROOT_ORG}/api/server/v1/applications"
APIS = f"/t/{ROOT_ORG}/api/server/v1/api-resources"
TOKEN = f"/t/{ROOT_ORG}/oauth2/token"
DEPTH = 5
TARGET_P99_MS = 20.0
ADMIN_PASSWORD = "Bench-admin-password-1"  # bench/servers.py: RUNEGATE_ADMIN_PASSWORD
SETUP_SCOPES = (
    "internal_organization_view internal_organization_create "
    "internal_application_mgt_view internal_application_mgt_create "
    "internal_application_mgt_update internal_api_resource_view "
    "internal_shared_application_create"
)
# The `/o/` APIs the shared application is authorized for, and the scopes it asks for.
ORG_APIS = {
    "/o/api/server/v1/organizations": ["internal_org_organization_view"],
    "/o/scim2/Users": ["internal_org_user_mgt_list", "internal_org_user_mgt_view"],
}
SWITCH_SCOPES = " ".join(s for scopes in ORG_APIS.values() for s in scopes)
PROBE_LINES = 500  # distinct requests per kind
ORG_COLUMNS = [
    "id",
    "name",
    "parent_id",
    "root_id",
    "path",
    "depth",
    "type",
    "status",
    "attributes",
    "rate_limits",
    "created_at",
    "updated_at",
]


def level_sizes(total: int, depth: int = DEPTH) -> list[int]:
    """Organizations per level 1..depth: the smallest fan-out f whose full tree holds
    `total`, every level full up to the last, which takes the rest (never empty)."""
    if total < depth:
        raise HarnessError(f"{depth} levels need at least {depth} organizations")
    fan = 1
    while sum(fan**d for d in range(1, depth + 1)) < total:
        fan += 1
    sizes, left = [], total
    for d in range(1, depth):
        size = min(fan**d, left - (depth - d))
        sizes.append(size)
        left -= size
    return [*sizes, left]


@dataclass(frozen=True, slots=True)
class Tree:
    rows: list[tuple[Any, ...]]  # ORG_COLUMNS
    levels: list[list[str]]  # ids per level, levels[0] = [root]


def build_tree(root_id: str, root_path: str, total: int, depth: int = DEPTH) -> Tree:
    """`total` sub-organizations below the root; level d's i-th organization hangs under
    level d-1's (i mod width)-th, so the children spread evenly."""
    now = datetime.now(UTC)
    levels: list[list[str]] = [[root_id]]
    paths = {root_id: root_path}
    rows: list[tuple[Any, ...]] = []
    for d, size in enumerate(level_sizes(total, depth), start=1):
        above, here = levels[-1], []
        for i in range(size):
            parent, org_id = above[i % len(above)], str(uuid.uuid4())
            paths[org_id] = f"{paths[parent]}{org_id}/"
            here.append(org_id)
            rows.append(
                (
                    org_id,
                    f"customer-{d}-{i}",
                    parent,
                    root_id,
                    paths[org_id],
                    d,
                    "TENANT",
                    "ACTIVE",
                    "[]",
                    "{}",
                    now,
                    now,
                )
            )
        levels.append(here)
    return Tree(rows, levels)


async def _root(dsn: str) -> tuple[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        row = await conn.fetchrow("SELECT id, path FROM organization WHERE handle = $1", ROOT_ORG)
        if row is None:
            raise HarnessError(f"no root organization {ROOT_ORG!r}")
        return str(row["id"]), str(row["path"])
    finally:
        await conn.close()


async def load_tree(dsn: str, tree: Tree) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.copy_records_to_table("organization", records=tree.rows, columns=ORG_COLUMNS)
        await conn.execute("VACUUM ANALYZE organization")
    finally:
        await conn.close()


def _ok(answer: httpx.Response, what: str, status: int = 200) -> dict[str, Any]:
    if answer.status_code != status:
        raise HarnessError(f"{what}: {answer.status_code} {answer.text[:300]}")
    return dict(answer.json()) if answer.content else {}


def _token(http: httpx.Client, auth: str, **form: str) -> str:
    answer = http.post(
        TOKEN,
        content=urlencode(form),
        headers={"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    return str(_ok(answer, f"token ({form.get('grant_type')})")["access_token"])


@dataclass(frozen=True, slots=True)
class Setup:
    app: fixtures.Client  # shared with all children, organization switch grant
    root_auth: str  # bootstrap token with the organization scopes
    app_token: str  # the application's own token (client_credentials)
    admin_token: str  # the root administrator's token (password grant)
    deep: list[str]  # depth-5 organizations created through the API


def prepare(http: httpx.Client, tree: Tree, api_orgs: int) -> Setup:
    """What the bench needs, through the public APIs."""
    boot = fixtures.Client("bootstrap", BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
    root = {
        "Authorization": "Bearer "
        + _token(http, boot.authorization, grant_type="client_credentials", scope=SETUP_SCOPES)
    }
    grants = ["client_credentials", "password", "organization_switch"]
    body = {
        "name": "b2b bench",
        "inboundProtocolConfiguration": {"oidc": {"grantTypes": grants}},
    }
    app = _ok(http.post(APPS, json=body, headers=root), "create application", 201)
    for identifier, scopes in ORG_APIS.items():
        found = _ok(
            http.get(APIS, params={"filter": f"identifier eq {identifier}"}, headers=root),
            f"find API {identifier}",
        )
        grant = {"id": found["APIResources"][0]["id"], "policyIdentifier": "RBAC", "scopes": scopes}
        answer = http.post(f"{APPS}/{app['id']}/authorized-apis", json=grant, headers=root)
        _ok(answer, f"authorize {identifier}", 201)
    answer = http.post(
        f"{APPS}/{app['id']}/share", json={"shareWithAllChildren": True}, headers=root
    )
    _ok(answer, "share with all children")
    parents = tree.levels[DEPTH - 1]
    deep = []
    for i in range(api_orgs):
        parent = parents[(i * len(parents)) // api_orgs]
        created = http.post(ORGS, json={"name": f"deep-{i}", "parentId": parent}, headers=root)
        deep.append(str(_ok(created, "create organization", 201)["id"]))
    client = fixtures.Client("b2b", str(app["clientId"]), str(app["clientSecret"]), str(app["id"]))
    return Setup(
        app=client,
        root_auth=root["Authorization"],
        app_token=_token(http, client.authorization, grant_type="client_credentials"),
        admin_token=_token(
            http,
            client.authorization,
            grant_type="password",
            username="admin",
            password=ADMIN_PASSWORD,
        ),
        deep=deep,
    )


def switch_form(token: str, org_id: str) -> dict[str, str]:
    return {
        "grant_type": "organization_switch",
        "token": token,
        "switching_organization": org_id,
        "scope": SWITCH_SCOPES,
    }


def probes(http: httpx.Client, tree: Tree, setup: Setup, users: int, seed: int = 11) -> list[Probe]:
    """The request kinds timed, each checked once (200 and a sensible answer) first."""
    rng = random.Random(seed)

    def pick(ids: list[str]) -> list[str]:
        return [ids[rng.randrange(len(ids))] for _ in range(PROBE_LINES)]

    def switched(org_id: str) -> str:
        form = switch_form(setup.app_token, org_id)
        return "Bearer " + _token(http, setup.app.authorization, **form)

    level2, level3 = tree.levels[2], tree.levels[3]
    mid = switched(level2[0])
    in_deep = switched(setup.deep[0])
    parent_filter = [
        f"{ORGS}?filter={quote(f'parentId eq {org}')}&recursive=true&limit=10"
        for org in pick(level3)
    ]
    names = [person(rng.randrange(users)).user_name for _ in range(PROBE_LINES)]
    user_paths = [f"{O_USERS}?filter=" + quote(f'userName eq "{n}"') for n in names]
    listed = [
        Probe(
            "children of the root (limit=10)", [f"{ORGS}?limit=10"], setup.root_auth, TARGET_P99_MS
        ),
        Probe(
            "children of a level-3 org (root token, filter parentId eq, recursive=true)",
            parent_filter,
            setup.root_auth,
            TARGET_P99_MS,
        ),
        Probe(
            "root, recursive=true, filter name eq (the whole tree)",
            [
                f"{ORGS}?recursive=true&filter=" + quote(f"name eq {name}")
                for name in pick([str(row[ORG_COLUMNS.index("name")]) for row in tree.rows])
            ],
            setup.root_auth,
            TARGET_P99_MS,
        ),
        Probe("/o/ children of a switched level-2 org", [f"{O_ORGS}?limit=10"], mid, TARGET_P99_MS),
        Probe(
            "/o/ recursive=true on a switched level-2 org (limit 10 / 100)",
            [f"{O_ORGS}?recursive=true&limit=10", f"{O_ORGS}?recursive=true&limit=100"],
            mid,
            TARGET_P99_MS,
        ),
        Probe(
            "organization_switch, application token -> depth 5",
            [urlencode(switch_form(setup.app_token, org)) for org in pick(tree.levels[DEPTH])],
            setup.app.authorization,
            TARGET_P99_MS,
            post_path=TOKEN,
        ),
        Probe(
            "organization_switch, root administrator's token -> depth 5",
            [urlencode(switch_form(setup.admin_token, org)) for org in pick(setup.deep)],
            setup.app.authorization,
            TARGET_P99_MS,
            post_path=TOKEN,
        ),
        Probe(
            '/o/scim2/Users?filter=userName eq "..." (switched token, depth 5)',
            user_paths,
            in_deep,
            TARGET_P99_MS,
            accept="application/scim+json",
        ),
    ]
    for probe in listed:
        check(http, probe)
    return listed


def check(http: httpx.Client, probe: Probe) -> None:
    """One request of the kind before timing: 200 and a non-empty answer."""
    headers = {"Authorization": probe.authorization}
    if probe.post_path:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = http.post(probe.post_path, content=probe.lines[0], headers=headers)
        key = "access_token"
    else:
        answer = http.get(probe.lines[0], headers=headers)
        key = "Resources" if "/scim2/" in probe.lines[0] else "organizations"
    body = _ok(answer, probe.name)
    if not body.get(key):
        raise HarnessError(f"{probe.name}: no {key} in {answer.text[:300]}")


def print_table(runs: dict[str, dict[str, Any]]) -> None:
    print(f"\n{'request':<74} {'p50':>7} {'p90':>7} {'p99':>7} {'CPU/req':>8}  target")
    for label, results in runs.items():
        print(f"-- {label}")
        for name, r in results.items():
            print(
                f"{name:<74} {r['p50_ms']:>7.2f} {r['p90_ms']:>7.2f} {r['p99_ms']:>7.2f} "
                f"{r['cpu_ms_per_request']:>8.2f}  {verdict(r)} (p99 <= {r['target_p99_ms']:g} ms"
                f", {r['requests']} requests, {r['errors']} errors)"
            )


def run(total: int) -> dict[str, Any]:
    name = os.environ.get("BENCH_ORGS_DB", "runegate_bench_orgs")
    keep = os.environ.get("BENCH_ORGS_KEEP") == "1"
    api_orgs = int(os.environ.get("BENCH_ORGS_API", "10"))
    counts = os.environ.get("BENCH_ORGS_CONNECTIONS", "1")
    duration = float(os.environ.get("BENCH_ORGS_DURATION", "10"))
    if total <= api_orgs + DEPTH:
        raise HarnessError(f"{total} organizations: more than {api_orgs + DEPTH} are needed")
    with scratch(name, "orgs_scale.json", keep=keep, organizations=total) as on:
        dsn, cfg, report = on.dsn, on.cfg, on.report
        report["machine"]["load"] = (
            f"connections {counts}, 2 s warm-up + {duration:g} s per request kind, "
            f"{cfg.workers} server workers"
        )
        workdir = ROOT / "var/bench/orgs_scale"
        workdir.mkdir(parents=True, exist_ok=True)
        server, _ = start_runegate(cfg, dsn, workdir, setup=True, tag="orgs")
        try:
            report["runs"] = measure(server, on, total, workdir)
            report["loadavg_after"] = loadavg()
        finally:
            server.stop()
    print_table(report["runs"])
    return report


def measure(server: ServerProcess, on: Scratch, total: int, workdir: Path) -> dict[str, Any]:
    """Load, prepare, check and time every request kind (BENCH_ORGS_* settings)."""
    api_orgs = int(os.environ.get("BENCH_ORGS_API", "10"))
    users = int(os.environ.get("BENCH_ORGS_USERS", "1000"))
    counts = [int(c) for c in os.environ.get("BENCH_ORGS_CONNECTIONS", "1").split(",") if c]
    duration = float(os.environ.get("BENCH_ORGS_DURATION", "10"))
    report = on.report
    root_id, root_path = asyncio.run(_root(on.dsn))
    tree = build_tree(root_id, root_path, total - api_orgs)
    print(f">> loading {len(tree.rows):,} organizations with COPY", flush=True)
    began = time.perf_counter()
    asyncio.run(load_tree(on.dsn, tree))
    report["levels"] = [len(level) for level in tree.levels[1:]]
    url = base_url(on.cfg.port)
    with httpx.Client(base_url=url, timeout=30.0) as http:
        print(f">> {api_orgs} depth-5 organizations and the application (API)")
        setup = prepare(http, tree, api_orgs)
        report["levels"][-1] += api_orgs
        for org_id in setup.deep[:3]:
            asyncio.run(load_users(on.dsn, org_id, users))
        report["load_seconds"] = round(time.perf_counter() - began, 1)
        report["users_per_deep_org"] = users
        timed = probes(http, tree, setup, users)
    report["loadavg_after_load"] = loadavg()
    pids = work_pids(server, on.name)
    runs: dict[str, dict[str, Any]] = {}
    for connections in counts:
        label = f"{connections} connection{'s' if connections > 1 else ''}"
        pace = Pace(duration=duration, warmup=2, connections=connections)
        runs[label] = {}
        for number, probe in enumerate(timed):
            print(f">> {label}: {probe.name}", flush=True)
            file = workdir / f"requests-{number}.txt"
            runs[label][probe.name] = time_probe(url, probe, file, pids, pace)
    return runs


def main() -> int:
    total = int(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BENCH_ORGS", "10000"))
    print(json.dumps(run(total), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
