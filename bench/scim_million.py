"""SCIM at scale (issue 6, item 10): a million users in PostgreSQL, timed through HTTP.

    .venv/bin/python -m bench.scim_million [users]      # default 1,000,000

Steps: create the scratch database BENCH_SCIM_DB (default `runegate_bench_million`) on
the server of BENCH_PG_URL (default postgresql://postgres@127.0.0.1:5432/postgres);
start `runegate serve --setup` on it (BENCH_WORKERS workers, default 2); bulk-load the
users of the `default` organization with COPY (userName, name, displayName, one or two
emails each, group memberships for one user in ten), VACUUM ANALYZE; then for each query
run wrk (BENCH_SCIM_DURATION seconds, default 15, after a 3 s warm-up, with
BENCH_SCIM_CONNECTIONS connections, default 2) against /scim2/Users with a bearer token,
every request picking one of 2,000 pre-computed paths at random (bench/requests.lua).
Cursor paging (RFC 9865) is timed on the first page and on deep pages: CURSOR_PROBES
users between the 50th and 90th percentile of the userName order, a cursor after each
sealed here with the server's development secret and sent once, the `nextCursor`
answered being the timed path.
Prints the figures as JSON (and writes them to var/bench/scim_million.json); the
database is dropped at the end unless BENCH_SCIM_KEEP=1, and BENCH_SCIM_REUSE=1 times
an existing database again without reloading it. Not part of `make test`; the exit
status is non-zero only when the harness fails, never for a missed target.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx

from bench import fixtures
from bench.backends import _check_name
from bench.config import BOOT_CLIENT_ID
from bench.config import BOOT_CLIENT_SECRET
from bench.config import ROOT
from bench.machine import loadavg
from bench.probes import Pace
from bench.probes import Probe
from bench.probes import scratch
from bench.probes import time_probe
from bench.probes import work_pids
from bench.servers import base_url
from bench.servers import start_runegate

ORG = "default"
USERS = f"/t/{ORG}/scim2/Users"
PROBES = 2000  # distinct request paths per query
SCOPES = "internal_user_mgt_list internal_user_mgt_view"
GIVEN = [
    "Alice",
    "Bruno",
    "Chen",
    "Dana",
    "Elif",
    "Farid",
    "Grace",
    "Hana",
    "Igor",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wei",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Ana",
    "Ben",
    "Carla",
    "Dmitri",
    "Emma",
    "Felix",
    "Gita",
    "Hugo",
    "Ines",
    "Jamal",
    "Kira",
    "Liam",
    "Maya",
    "Noor",
    "Oscar",
    "Paula",
    "Rafael",
    "Sara",
    "Tomas",
    "Uma",
    "Victor",
    "Wanda",
    "Xavier",
    "Yara",
    "Zane",
    "Aiko",
    "Bilal",
    "Cleo",
    "Diego",
    "Esra",
    "Fatou",
    "Goran",
    "Hiro",
    "Isla",
]
FAMILY = [
    "Smith",
    "Garcia",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Haddad",
    "Rossi",
    "Tanaka",
    "Dubois",
    "Novak",
    "Silva",
    "Jensen",
    "Murphy",
    "Schmidt",
    "Kim",
    "Patel",
    "Ivanova",
    "Mensah",
    "Cohen",
    "Larsen",
    "Moreau",
    "Costa",
    "Ali",
    "Sato",
    "Fischer",
    "Lopez",
    "Horvat",
    "Berg",
    "Khan",
    "Diaz",
    "Weber",
    "Popescu",
    "Nakamura",
    "Olsen",
    "Ferreira",
    "Romano",
    "Yilmaz",
    "Lindqvist",
    "Mwangi",
    "Brennan",
    "Castillo",
    "Petrov",
    "Hoffmann",
    "Ng",
    "Abe",
    "Eriksen",
    "Santos",
    "Kaya",
    "Walsh",
    "Ortiz",
    "Bauer",
    "Iqbal",
    "Ueda",
    "Varga",
    "Lund",
    "Rahman",
    "Moreno",
    "Keller",
    "Ito",
    "Quispe",
]
DOMAINS = ("example.com", "example.org", "corp.example.net", "mail.example.io")
GROUPS = 20  # groups for the memberships (one user in ten is in one)
TARGETS_MS = {
    "userName eq": 10,
    "emails.value eq": 10,
    "userName sw, pages of 100": 50,
    "page of 100 (startIndex <= 10,000)": 50,
    "page of 100 (startIndex deep, 500,000 to 1,000,000)": 50,
    "page of 100 sortBy=name.familyName": 50,
    "page of 100 sortBy=userName descending": 50,
    "first page of 100 by cursor": 50,
    "page of 100 by cursor (deep, 50th to 90th percentile)": 50,
}
CURSOR_PROBES = 300  # deep cursors, each fetched once from the server before timing


@dataclass(frozen=True, slots=True)
class Person:
    index: int
    given: str
    family: str

    @property
    def user_name(self) -> str:
        return f"{self.given}.{self.family}{self.index}".lower()

    def email(self, kind: str = "work") -> str:
        domain = DOMAINS[self.index % len(DOMAINS)]
        local = f"{self.given}.{self.family}.{self.index}"
        return f"{local}@{domain}" if kind == "work" else f"{local}@home.example"


def person(index: int) -> Person:
    # A fixed shuffle so neighbouring indexes get unrelated names.
    mixed = (index * 7919) % 1_000_003
    return Person(index, GIVEN[mixed % len(GIVEN)], FAMILY[(mixed // len(GIVEN)) % len(FAMILY)])


USER_COLUMNS = [
    "id",
    "org_id",
    "user_name",
    "user_name_ci",
    "given_name",
    "family_name",
    "display_name",
    "emails",
    "active",
    "attributes",
    "version",
    "created_at",
    "updated_at",
]
EMAIL_COLUMNS = ["user_id", "position", "org_id", "value", "value_ci", "type", "primary"]
MEMBER_COLUMNS = ["org_id", "group_id", "user_id"]
GROUP_COLUMNS = ["id", "org_id", "display_name", "display_name_ci", "attributes", "version"]
GROUP_COLUMNS += ["created_at", "updated_at"]


def _rows(
    org_id: str, groups: list[str], start: int, count: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    now = datetime.now(UTC)
    users, emails, members = [], [], []
    for i in range(start, start + count):
        who, uid = person(i), str(uuid.uuid4())
        mails = [{"value": who.email(), "type": "work", "primary": True}]
        if i % 3 == 0:
            mails.append({"value": who.email("home"), "type": "home"})
        display = f"{who.given} {who.family}"
        name = {"givenName": who.given, "familyName": who.family, "formatted": display}
        document = {"name": name, "displayName": display, "emails": mails}
        users.append(
            (
                uid,
                org_id,
                who.user_name,
                who.user_name,
                who.given,
                who.family,
                display,
                json.dumps(mails),
                True,
                json.dumps(document),
                1,
                now,
                now,
            )
        )
        for position, mail in enumerate(mails):
            value = str(mail["value"])
            primary = bool(mail.get("primary"))
            emails.append((uid, position, org_id, value, value.lower(), mail["type"], primary))
        if i % 10 == 0:
            members.append((org_id, groups[(i // 10) % len(groups)], uid))
    return users, emails, members


async def load(dsn: str, org_id: str, total: int, batch: int = 50_000) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        groups = [str(uuid.uuid4()) for _ in range(GROUPS)]
        await conn.copy_records_to_table(
            "user_group",
            records=[
                (gid, org_id, f"Team {n}", f"team {n}", "{}", 1, now, now)
                for n, gid in enumerate(groups)
            ],
            columns=GROUP_COLUMNS,
        )
        for start in range(0, total, batch):
            users, emails, members = _rows(org_id, groups, start, min(batch, total - start))
            await conn.copy_records_to_table("user_account", records=users, columns=USER_COLUMNS)
            await conn.copy_records_to_table("user_email", records=emails, columns=EMAIL_COLUMNS)
            await conn.copy_records_to_table(
                "group_member", records=members, columns=MEMBER_COLUMNS
            )
            print(f"   {start + len(users):,} users", flush=True)
        for table in ("user_account", "user_email", "group_member", "user_group"):
            await conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        await conn.close()


def _filter(expression: str, **extra: Any) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in extra.items())
    return f"{USERS}?filter={quote(expression)}" + (f"&{query}" if query else "")


def _page(**params: Any) -> str:
    return f"{USERS}?" + "&".join(f"{k}={quote(str(v))}" for k, v in params.items())


def probe_paths(total: int, seed: int = 6) -> dict[str, list[str]]:
    """PROBES request paths per query, over users spread across the whole table."""
    rng = random.Random(seed)

    def people() -> Iterator[Person]:
        for _ in range(PROBES):
            yield person(rng.randrange(total))

    deep_from = min(total // 2, max(0, total - 100))
    sw_pages = max(1, min(50, total // len(GIVEN) // 100))  # pages each prefix surely has
    return {
        "userName eq": [_filter(f'userName eq "{p.user_name}"') for p in people()],
        # upper-cased: emails.value is not case-exact (RFC 7643 §4.1.2)
        "emails.value eq": [_filter(f'emails.value eq "{p.email().upper()}"') for p in people()],
        "userName sw, pages of 100": [
            _filter(
                f'userName sw "{p.given.lower()}."',
                startIndex=1 + 100 * rng.randrange(sw_pages),
                count=100,
            )
            for p in people()
        ],
        "page of 100 (startIndex <= 10,000)": [
            _page(startIndex=1 + rng.randrange(min(10_000, total)), count=100)
            for _ in range(PROBES)
        ],
        "page of 100 (startIndex deep, 500,000 to 1,000,000)": [
            _page(
                startIndex=1 + rng.randrange(deep_from, max(deep_from + 1, total - 100)), count=100
            )
            for _ in range(PROBES)
        ],
        "page of 100 sortBy=name.familyName": [
            _page(
                sortBy="name.familyName",
                startIndex=1 + rng.randrange(min(10_000, total)),
                count=100,
            )
            for _ in range(PROBES)
        ],
        "page of 100 sortBy=userName descending": [
            _page(
                sortBy="userName",
                sortOrder="descending",
                startIndex=1 + rng.randrange(min(10_000, total)),
                count=100,
            )
            for _ in range(PROBES)
        ],
    }


async def deep_positions(dsn: str, org_id: str, count: int) -> list[tuple[str, str]]:
    """(id, userName) of `count` users between the middle and the last tenth of the
    userName order (so that a full page follows each)."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "WITH m AS (SELECT percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP"
            " (ORDER BY user_name_ci) AS q FROM user_account WHERE org_id = $1)"
            " SELECT id, user_name_ci FROM user_account, m WHERE org_id = $1"
            " AND user_name_ci >= m.q[1] AND user_name_ci < m.q[2]"
            " ORDER BY md5(id || 'scim') LIMIT $2",
            org_id,
            count,
        )
        return [(str(r["id"]), str(r["user_name_ci"])) for r in rows]
    finally:
        await conn.close()


def cursor_paths(
    http: httpx.Client, auth: str, org_id: str, keys: tuple[bytes, ...], positions: list[Any]
) -> dict[str, list[str]]:
    """RFC 9865 pages: the first (empty cursor), and deep pages reached by cursor: a
    cursor sealed here, as the server seals them, after a user of the second half of
    the order, is sent once; the `nextCursor` the server answers is the timed path."""
    from runegate.scim.columns import USER_COLUMNS as SCIM_USERS
    from runegate.scim.cursor import encode
    from runegate.scim.cursor import scope_of
    from runegate.scim.query import ListQuery
    from runegate.storage.repositories.base import SeekPosition

    scope = scope_of(org_id, SCIM_USERS.core_schema, ListQuery())
    deep = []
    for row_id, user_name in positions:
        jump = encode(keys, scope, SeekPosition(row_id, user_name), False)
        answer = http.get(_page(cursor=jump, count=100), headers={"Authorization": auth})
        answer.raise_for_status()
        deep.append(_page(cursor=answer.json()["nextCursor"], count=100))
    return {
        "first page of 100 by cursor": [_page(cursor="", count=100)],
        "page of 100 by cursor (deep, 50th to 90th percentile)": deep,
    }


def server_keys(workdir: Path) -> tuple[bytes, ...]:
    """The development secret `runegate serve` created in its var/ (config.secret_keys)."""
    raw = (workdir / "var" / "secret_key").read_text()
    return tuple(k.strip().encode() for k in raw.split(",") if k.strip())


def scim_token(http: httpx.Client) -> str:
    boot = fixtures.Client("bootstrap", BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
    body = f"grant_type=client_credentials&scope={SCOPES.replace(' ', '+')}"
    answer = fixtures.token_response(http, boot.authorization, body)
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def check_paths(http: httpx.Client, auth: str, paths: dict[str, list[str]]) -> dict[str, Any]:
    """One request per query before timing: it must answer 200 with resources."""
    seen: dict[str, Any] = {}
    for name, listed in paths.items():
        answer = http.get(listed[0], headers={"Authorization": auth})
        if answer.status_code != 200:
            raise RuntimeError(f"{name}: {answer.status_code} {answer.text[:300]}")
        body = answer.json()
        if not body.get("Resources"):
            raise RuntimeError(f"{name}: no resources for {listed[0]}")
        seen[name] = {"totalResults": body["totalResults"], "returned": len(body["Resources"])}
    return seen


def time_queries(
    url: str,
    auth: str,
    paths: dict[str, list[str]],
    workdir: Path,
    pids: Callable[[], list[int]],
) -> dict[str, Any]:
    """wrk per query (bench/probes.py), BENCH_SCIM_* pace."""
    pace = Pace(
        duration=float(os.environ.get("BENCH_SCIM_DURATION", "15")),
        warmup=3,
        connections=int(os.environ.get("BENCH_SCIM_CONNECTIONS", "2")),
    )
    only = [n for n in os.environ.get("BENCH_SCIM_ONLY", "").split(",") if n]
    results: dict[str, Any] = {}
    for number, (name, listed) in enumerate(paths.items()):
        if only and not any(word in name for word in only):
            continue
        print(f">> {name}: 3 s warm-up, {pace.duration:g} s run", flush=True)
        probe = Probe(name, listed, auth, TARGETS_MS[name], accept="application/scim+json")
        results[name] = time_probe(url, probe, workdir / f"paths-{number}.txt", pids, pace)
        print(f"   {json.dumps(results[name])}", flush=True)
    return results


async def _org_id(dsn: str) -> tuple[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        org = await conn.fetchval("SELECT id FROM organization WHERE handle = $1", ORG)
        users = await conn.fetchval("SELECT count(*) FROM user_account WHERE org_id = $1", org)
        return str(org), int(users)
    finally:
        await conn.close()


def run(total: int) -> dict[str, Any]:
    name = _check_name(os.environ.get("BENCH_SCIM_DB", "runegate_bench_million"))
    reuse = os.environ.get("BENCH_SCIM_REUSE") == "1"
    keep = reuse or os.environ.get("BENCH_SCIM_KEEP") == "1"
    with scratch(name, "scim_million.json", fresh=not reuse, keep=keep, users=total) as on:
        dsn, cfg, report = on.dsn, on.cfg, on.report
        report["machine"]["load"] = (
            f"{os.environ.get('BENCH_SCIM_CONNECTIONS', '2')} connections, 3 s warm-up + "
            f"{os.environ.get('BENCH_SCIM_DURATION', '15')} s per query, "
            f"{cfg.workers} server workers"
        )
        # Kept between runs: the server's var/ (secret key) must match a reused database.
        workdir = ROOT / "var/bench/scim_million"
        workdir.mkdir(parents=True, exist_ok=True)
        server, _ = start_runegate(cfg, dsn, workdir, setup=not reuse, tag="scim")
        try:
            org_id, present = asyncio.run(_org_id(dsn))
            if not reuse:
                print(f">> loading {total:,} users with COPY", flush=True)
                began = time.perf_counter()
                asyncio.run(load(dsn, org_id, total))
                report["load_seconds"] = round(time.perf_counter() - began, 1)
                present = total
            report["users"] = present
            paths = probe_paths(present)
            url = base_url(cfg.port)
            with httpx.Client(base_url=url, timeout=30.0) as http:
                auth = f"Bearer {scim_token(http)}"
                positions = asyncio.run(deep_positions(dsn, org_id, CURSOR_PROBES))
                keys = server_keys(workdir)
                paths |= cursor_paths(http, auth, org_id, keys, positions)
                report["answers"] = check_paths(http, auth, paths)
            report["workers"] = cfg.workers
            report["loadavg_after_load"] = loadavg()
            pids = work_pids(server, name)
            report["queries"] = time_queries(url, auth, paths, workdir, pids)
            report["loadavg_after"] = loadavg()
        finally:
            server.stop()
    return report


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
