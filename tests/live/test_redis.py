"""Optional Redis (issue 13 item 4, CONTRACT §2): cache invalidation over pub/sub between
workers, and a node that keeps serving from the database when Redis stops."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.redis_link import RedisLink
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.conftest import RedisServer
from tests.live.server import client_token
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow  # starts servers; runs once in CI (`make test`)

BOOT = (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
BOUND_S = 10  # bounded polling, not a performance figure
NO_HANG_S = 5.0  # client timeout while Redis is down: an answer, never a hang


async def until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND_S
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_a_change_published_by_one_worker_clears_the_others(
    redis_server: RedisServer,
) -> None:
    """Two workers' registries without the database poller: only pub/sub can clear B."""
    a, b = CacheRegistry(), CacheRegistry()
    cached: Cache[str] = Cache(b, "clients")
    link_a, link_b = RedisLink(redis_server.url, a), RedisLink(redis_server.url, b)
    link_a.start()
    link_b.start()
    try:
        await until(lambda: link_a.available and link_b.available)
        cached.set("client", "old record")
        a.changed()
        await until(lambda: cached.get("client") is None)

        redis_server.stop()
        await until(lambda: not link_a.available)
        cached.set("client", "record")
        a.changed()  # returns at once: nothing is sent while Redis is away
        assert cached.get("client") == "record"  # the change counter is the fallback then

        redis_server.start()  # same port: the links reconnect by themselves
        await until(lambda: link_a.available and link_b.available)
        cached.set("client", "newer record")
        a.changed()
        await until(lambda: cached.get("client") is None)
    finally:
        await link_a.stop()
        await link_b.stop()


def test_node_keeps_serving_from_the_database_when_redis_stops(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    port = free_port(21150, 21175)
    url = f"sqlite:///{tmp_path}/runegate.db"
    with (
        live_server(url, tmp_path, port=port, RUNEGATE_REDIS_URL=redis_server.url) as (base, _p),
        httpx.Client(timeout=NO_HANG_S) as http,
    ):

        def redis_status() -> str:
            health = http.get(f"{base}/health")
            assert health.status_code == 200, health.text
            return str(health.json()["checks"]["redis"]["status"])

        def serves() -> None:
            issued = client_token(http, base, "internal_application_mgt_create")
            assert issued.status_code == 200, issued.text
            value = issued.json()["access_token"]
            created = http.post(  # a configuration write: publishes when Redis is there
                f"{base}/t/default/api/server/v1/applications",
                json={"name": f"app-{time.monotonic_ns()}", "templateId": "m2m-application"},
                headers={"Authorization": f"Bearer {value}"},
            )
            assert created.status_code == 201, created.text
            checked = http.post(
                f"{base}/t/default/oauth2/introspect", data={"token": value}, auth=BOOT
            )
            assert checked.json()["active"] is True

        wait(lambda: redis_status() == "up")
        serves()
        redis_server.stop()
        for _ in range(3):
            serves()
        wait(lambda: redis_status() == "down")
        serves()
        redis_server.start()
        wait(lambda: redis_status() == "up")  # reconnected without a restart
        serves()


def wait(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + BOUND_S
    while not check():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)
