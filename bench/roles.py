"""`make bench`, part "roles": what a user's roles add to token issuance (issue 7).

In process, on a fresh SQLite file and a fresh PostgreSQL database: the app is booted
as `runegate serve` boots it, fixtures are made through the public APIs (an API with 60
scopes, an application authorized for 55 of them with the password grant, a user
holding 50 application roles through 20 groups, and a user holding no role), then:

* the scope resolution itself (`RoleUserStore.role_scopes`, the one step the password
  grant adds for roles): cached (the steady state) and uncached (the first token after
  a role, assignment or membership change, or on a worker that has not seen the user);
* the password grant end to end over ASGI for both users, interleaved: wall p50 and this
  process's CPU per grant (all threads, so argon2id's worker thread counts). argon2id
  dominates both; CPU time does not depend on the machine's load the way wall time
  does, so the CPU difference is the figure to read for "time added", next to the
  resolution timings, which are the precise measure.

Run only this part with `BENCH_PARTS=roles make bench`.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import tempfile
import time
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.backends import Backend
from bench.config import BOOT_CLIENT_ID
from bench.config import BOOT_CLIENT_SECRET
from runegate.app import create_app
from runegate.bootstrap import run_bootstrap
from runegate.config import Settings
from runegate.roles.resolve import role_scopes
from runegate.roles.store import RoleUserStore
from runegate.storage import changes
from runegate.storage.db import Database
from runegate.storage.migrate import upgrade

ORG = "default"
BASE = "http://bench"
PASSWORD = "Bench-Passw0rd"
SCOPES = [f"s{i}" for i in range(60)]
ADMIN = " ".join(
    [
        "internal_role_mgt_create internal_user_mgt_create internal_group_mgt_create",
        "internal_application_mgt_create internal_application_mgt_update",
        "internal_api_resource_create",
    ]
)
RUNS = {"uncached": 300, "cached": 20_000, "grant": 30}
TARGET_MS = 1.0


@dataclass(frozen=True, slots=True)
class RolesResult:
    backend: str
    resolve_uncached_p50_ms: float
    resolve_uncached_p99_ms: float
    resolve_uncached_cpu_ms: float
    resolve_cached_mean_ms: float
    grant_p50_ms_with_roles: float
    grant_p50_ms_without_roles: float
    grant_cpu_ms_with_roles: float
    grant_cpu_ms_without_roles: float
    scopes_granted: int

    @property
    def grant_added_cpu_ms(self) -> float:
        return self.grant_cpu_ms_with_roles - self.grant_cpu_ms_without_roles


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


async def _ok(response: Awaitable[httpx.Response], status: int = 201) -> dict[str, Any]:
    done = await response
    if done.status_code != status:
        raise RuntimeError(f"fixture call failed: {done.status_code} {done.text[:300]}")
    return dict(done.json()) if done.content else {}


async def _fixtures(http: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, str]]:
    """(application, user ids by name): 50 roles held through 20 groups by `many`."""
    token = await _ok(
        http.post(
            f"/t/{ORG}/oauth2/token",
            data={"grant_type": "client_credentials", "scope": ADMIN},
            headers=_basic(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
        ),
        200,
    )
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    api = await _ok(
        http.post(
            f"/t/{ORG}/api/server/v1/api-resources",
            json={
                "name": "bench-roles",
                "identifier": "urn:runegate:bench:roles",
                "scopes": [{"name": s} for s in SCOPES],
            },
            headers=auth,
        ),
        200,
    )
    apps = f"/t/{ORG}/api/server/v1/applications"
    app = await _ok(
        http.post(
            apps,
            json={
                "name": "bench-roles",
                "associatedRoles": {"allowedAudience": "APPLICATION"},
                "inboundProtocolConfiguration": {"oidc": {"grantTypes": ["password"]}},
            },
            headers=auth,
        )
    )
    authorize = {"id": api["id"], "policyIdentifier": "RBAC", "scopes": SCOPES[:55]}
    await _ok(http.post(f"{apps}/{app['id']}/authorized-apis", json=authorize, headers=auth))
    users = {}
    for name in ("many", "plain"):
        body: dict[str, Any] = {"userName": name, "password": PASSWORD}
        users[name] = (await _ok(http.post(f"/t/{ORG}/scim2/Users", json=body, headers=auth)))["id"]
    groups = []
    for i in range(20):
        body = {"displayName": f"bench-g{i}", "members": [{"value": users["many"]}]}
        groups.append(
            (await _ok(http.post(f"/t/{ORG}/scim2/Groups", json=body, headers=auth)))["id"]
        )
    for i in range(50):
        role = {
            "schemas": ["urn:ietf:params:scim:schemas:extension:2.0:Role"],
            "displayName": f"bench-r{i}",
            "audience": {"value": app["id"], "type": "application"},
            "permissions": [{"value": f"s{i + 5}"}],
            "groups": [{"value": groups[i % 20]}],
        }
        await _ok(http.post(f"/t/{ORG}/scim2/v2/Roles", json=role, headers=auth))
    return app, users


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1]


@dataclass
class Timings:
    wall_ms: list[float]
    cpu_ms: float = 0.0  # this process, all threads, summed

    @property
    def cpu_mean_ms(self) -> float:
        return self.cpu_ms / max(len(self.wall_ms), 1)


async def _timed(call: Callable[[], Awaitable[object]], runs: int, into: Timings) -> Timings:
    for _ in range(runs):
        cpu, start = time.process_time(), time.perf_counter()
        await call()
        into.wall_ms.append((time.perf_counter() - start) * 1000)
        into.cpu_ms += (time.process_time() - cpu) * 1000
    return into


async def _measure(name: str, url: str, workdir: Path) -> RolesResult:
    await asyncio.to_thread(upgrade, url)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        public_url=BASE,
        secret_key="bench-roles-secret-key-0123456789abcdef0123456789",
        bootstrap_client_id=BOOT_CLIENT_ID,
        bootstrap_client_secret=BOOT_CLIENT_SECRET,
        admin_password="bench-admin-password",
        var_dir=workdir / "var",
    )
    async with AsyncExitStack() as stack:
        db = Database(url)
        stack.push_async_callback(db.dispose)
        await run_bootstrap(settings, db)
        app = create_app(settings, db=db)
        await stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=BASE, timeout=30)
        )
        client, users = await _fixtures(http)
        state = app.state.runegate
        tenant = await state.find_tenant(ORG)
        assert tenant is not None
        store = RoleUserStore(state.db, state.caches)
        many = users["many"]

        async def uncached() -> None:
            async with state.db.read() as session:
                await role_scopes(session, tenant.org_id, client["id"], many)

        async def cached() -> None:
            await store.role_scopes(tenant, client["id"], many)

        misses = await _timed(uncached, RUNS["uncached"], Timings([]))
        await cached()
        hits = await _timed(cached, RUNS["cached"], Timings([]))

        async def grant(user: str) -> int:
            response = await http.post(
                f"/t/{ORG}/oauth2/token",
                data={
                    "grant_type": "password",
                    "username": user,
                    "password": PASSWORD,
                    "scope": " ".join(SCOPES),
                },
                headers=_basic(client["clientId"], client["clientSecret"]),
            )
            if response.status_code != 200:
                raise RuntimeError(f"password grant failed: {response.text[:300]}")
            return len(str(response.json().get("scope", "")).split())

        granted = await grant("many")
        await grant("plain")
        with_roles, without = Timings([]), Timings([])
        for _ in range(RUNS["grant"]):  # interleaved, so machine load hits both alike
            await _timed(lambda: grant("many"), 1, with_roles)
            await _timed(lambda: grant("plain"), 1, without)
        state.caches.invalidate(changes.ROLES)
        p50, p99 = _ms(misses.wall_ms)
        return RolesResult(
            backend=name,
            resolve_uncached_p50_ms=p50,
            resolve_uncached_p99_ms=p99,
            resolve_uncached_cpu_ms=misses.cpu_mean_ms,
            resolve_cached_mean_ms=statistics.fmean(hits.wall_ms),
            grant_p50_ms_with_roles=statistics.median(with_roles.wall_ms),
            grant_p50_ms_without_roles=statistics.median(without.wall_ms),
            grant_cpu_ms_with_roles=with_roles.cpu_mean_ms,
            grant_cpu_ms_without_roles=without.cpu_mean_ms,
            scopes_granted=granted,
        )


def run(backend: Backend) -> RolesResult:
    with tempfile.TemporaryDirectory(prefix="runegate-bench-roles-") as tmp:
        return asyncio.run(_measure(backend.name, backend.url, Path(tmp)))


def report(results: list[RolesResult]) -> str:
    lines = [
        "| backend | resolve cached, mean | resolve uncached, p50 / p99 wall, CPU "
        "| grant p50 wall, 50 roles / none | grant CPU, 50 roles / none (added) "
        "| cached < 1 ms |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in results:
        status = "PASS" if r.resolve_cached_mean_ms < TARGET_MS else "MISS"
        lines.append(
            f"| {r.backend} | {r.resolve_cached_mean_ms * 1000:.1f} µs "
            f"| {r.resolve_uncached_p50_ms:.2f} / {r.resolve_uncached_p99_ms:.2f} ms, "
            f"{r.resolve_uncached_cpu_ms:.2f} ms "
            f"| {r.grant_p50_ms_with_roles:.0f} / {r.grant_p50_ms_without_roles:.0f} ms "
            f"| {r.grant_cpu_ms_with_roles:.1f} / {r.grant_cpu_ms_without_roles:.1f} ms "
            f"({r.grant_added_cpu_ms:+.2f}) | {status} |"
        )
    return "\n".join(lines)


def as_json(results: list[RolesResult]) -> list[dict[str, Any]]:
    return [{**asdict(r), "grant_added_cpu_ms": r.grant_added_cpu_ms} for r in results]
