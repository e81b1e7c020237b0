"""SCIM at scale: bulk-load users into PostgreSQL, then time the filters of issue 6.

    BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/runegate_bench_scim \\
        .venv/bin/python -m bench.scim_million [users]

The database named in BENCH_PG_URL is migrated and must be a scratch database (its
`bench` organization is replaced). Users are loaded with COPY (default 1,000,000), then
each query runs through the SCIM engine (filter compiled to SQL, rows rendered through
scim2-models) `BENCH_SCIM_RUNS` times (default 200); p50/p99 are printed as JSON.
Not part of `make test`.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

import asyncpg

from runegate.scim import users as scim_users
from runegate.scim.query import build_query
from runegate.storage.db import Database
from runegate.storage.migrate import upgrade
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import provision_org

ORG = "bench"
TARGETS_MS = {"userName eq": 10, "emails.value eq": 10, "userName sw page": 50, "page of 100": 50}


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _tenant(db: Database) -> TenantContext:
    async with db.write() as session:
        return (await provision_org(session, ORG, base_url="http://bench")).tenant


def _rows(
    org_id: str, start: int, count: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    now = datetime.now(UTC)
    users, emails = [], []
    for i in range(start, start + count):
        uid, name = str(uuid.uuid4()), f"user{i:07d}@example.com"
        mail = [{"value": name, "type": "work", "primary": True}]
        users.append(
            (
                uid,
                org_id,
                name,
                name,
                None,
                None,
                None,
                None,
                f"User {i}",
                json.dumps(mail),
                True,
                json.dumps({}),
                1,
                now,
                now,
            )
        )
        emails.append((uid, 0, org_id, name, name, "work", True))
    return users, emails


USER_COLUMNS = [
    "id",
    "org_id",
    "user_name",
    "user_name_ci",
    "external_id",
    "password_hash",
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


async def load(url: str, org_id: str, total: int, batch: int = 50_000) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        await conn.execute("DELETE FROM user_account WHERE org_id = $1", org_id)
        for start in range(0, total, batch):
            users, emails = _rows(org_id, start, min(batch, total - start))
            await conn.copy_records_to_table("user_account", records=users, columns=USER_COLUMNS)
            await conn.copy_records_to_table("user_email", records=emails, columns=EMAIL_COLUMNS)
        await conn.execute("ANALYZE user_account; ANALYZE user_email")
    finally:
        await conn.close()


async def timed(run: Callable[[], Awaitable[Any]], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.99))], 2),
    }


async def measure(db: Database, tenant: TenantContext, total: int, runs: int) -> dict[str, Any]:
    probe = f"user{total // 2:07d}@example.com"
    queries = {
        "userName eq": {"filter": f'userName eq "{probe}"'},
        "emails.value eq": {"filter": f'emails.value eq "{probe.upper()}"'},
        "userName sw page": {"filter": f'userName sw "{probe[:9]}"', "count": "100"},
        "page of 100": {"startIndex": "1001", "count": "100"},
    }
    results: dict[str, Any] = {}
    for name, params in queries.items():
        query = build_query(params)

        async def run(query: Any = query) -> Any:
            async with db.read() as session:
                return await scim_users.search(session, tenant, query)

        results[name] = {**await timed(run, runs), "target_p99_ms": TARGETS_MS[name]}
    return results


async def main(total: int) -> None:
    url = os.environ.get("BENCH_PG_URL")
    if not url:
        sys.exit("Set BENCH_PG_URL to a scratch PostgreSQL database.")
    await asyncio.to_thread(upgrade, url)
    db = Database(url, pool_size=4)
    try:
        tenant = await _tenant(db)
        began = time.perf_counter()
        await load(url, tenant.org_id, total)
        loaded = round(time.perf_counter() - began, 1)
        runs = int(os.environ.get("BENCH_SCIM_RUNS", "200"))
        report = {"users": total, "load_seconds": loaded, **await measure(db, tenant, total, runs)}
        print(json.dumps(report, indent=2))
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
