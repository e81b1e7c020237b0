"""The per-organization policy (identity-governance connector account.lock.handler)
changes behaviour; locks expire; failures are also counted per client IP."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.conftest import BASE_URL
from tests.conftest import AppFactory
from tests.lockout.conftest import Org
from tests.lockout.conftest import open_org


async def test_max_attempts_is_per_organization(org: Org) -> None:
    assert (await org.set_policy(On__Failure__Max__Attempts="2")).status_code == 200
    await org.admin.user("fay")
    await org.fail("fay", 2)
    assert (await org.password("fay")).status_code == 400


async def test_disabled_policy_never_locks(org: Org) -> None:
    assert (await org.set_policy(enable="false")).status_code == 200
    await org.admin.user("gus")
    await org.fail("gus", 8)
    assert (await org.password("gus")).status_code == 200
    assert await org.audit("user.lock") == []


async def test_a_lock_expires(org: Org) -> None:
    """Lock time 0.02 minutes (1.2 s): the lock holds, then lifts by itself."""
    set_policy = await org.set_policy(Time="0.02")
    assert set_policy.status_code == 200, set_policy.text
    await org.admin.user("hal")
    await org.fail("hal", 5)
    assert len(await org.audit("user.lock")) == 1
    deadline = time.monotonic() + 30  # bounded wait for the lock to end
    while (await org.password("hal")).status_code != 200:
        assert time.monotonic() < deadline, "the lock did not expire"
        await asyncio.sleep(0.3)


async def test_failures_outside_the_window_are_forgotten(org: Org) -> None:
    """Window 0.01 minutes (0.6 s): failures spread wider than it never lock."""
    response = await org.set_policy(
        runegate__failure__window="0.01", On__Failure__Max__Attempts="2"
    )
    assert response.status_code == 200, response.text
    await org.admin.user("ivy")
    for _ in range(4):
        await org.fail("ivy", 1)
        await asyncio.sleep(0.7)
    assert (await org.password("ivy")).status_code == 200


async def test_failures_are_counted_per_client_ip(make_app: AppFactory) -> None:
    app, http = await make_app(lockout_failures_per_ip=3)
    org = await open_org(http)
    await org.admin.user("jan")
    attacker = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("192.0.2.10", 4000)), base_url=BASE_URL
    )
    async with attacker:
        for name in ("u1", "u2", "u3"):  # three different names: no account is locked
            await org.fail(name, 1, http=attacker)
        refused = await org.password("jan", http=attacker)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"] == "slow_down"
        assert int(refused.headers["retry-after"]) > 0
    # Another address is not affected, nor is the user's account.
    assert (await org.password("jan")).status_code == 200
