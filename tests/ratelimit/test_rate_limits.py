"""Rate limits over HTTP: bursts get 429 + Retry-After in each surface's error format;
clients, IPs and organizations have budgets of their own."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from runegate.ratelimit.buckets import TokenBuckets
from tests.conftest import BASE_URL
from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import AppFactory
from tests.conftest import basic_auth
from tests.conftest import bearer
from tests.conftest import get_token
from tests.management.test_cross_org import OTHER_ID
from tests.management.test_cross_org import OTHER_SECRET
from tests.management.test_cross_org import provision_other

TOKEN = "/t/default/oauth2/token"
CC = {"grant_type": "client_credentials"}


def from_ip(app: FastAPI, ip: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url=BASE_URL)


async def boot_token(http: httpx.AsyncClient, org: str = "default") -> httpx.Response:
    auth = (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET) if org == "default" else (OTHER_ID, OTHER_SECRET)
    return await http.post(f"/t/{org}/oauth2/token", data=CC, headers=basic_auth(*auth))


def assert_limited(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    assert int(response.headers["retry-after"]) >= 1
    body: dict[str, Any] = response.json()
    return body


async def test_token_endpoint_per_client(make_app: AppFactory) -> None:
    _app, http = await make_app(rate_limit_token_per_client=3)
    for _ in range(3):
        assert (await boot_token(http)).status_code == 200
    limited = await boot_token(http)
    body = assert_limited(limited)
    assert body["error"] == "slow_down" and limited.headers["cache-control"] == "no-store"
    # The same client in the form body (client_secret_post) shares the budget.
    form = {**CC, "client_id": BOOT_CLIENT_ID, "client_secret": BOOT_CLIENT_SECRET}
    assert_limited(await http.post(TOKEN, data=form))
    # Another client is independent (here: unknown, so 401 rather than 429).
    other = await http.post(TOKEN, data=CC, headers=basic_auth("someone-else", "x" * 32))
    assert other.status_code == 401


async def test_token_endpoint_per_ip_and_per_organization(make_app: AppFactory) -> None:
    app, _http = await make_app(rate_limit_token_per_ip=2)
    await provision_other(app.state.runegate)
    async with from_ip(app, "192.0.2.10") as first, from_ip(app, "192.0.2.20") as second:
        for _ in range(2):
            assert (await boot_token(first)).status_code == 200
        assert_limited(await boot_token(first))
        assert (await boot_token(second)).status_code == 200
        assert (await boot_token(first, org="acme")).status_code == 200


async def test_scim_per_client_and_per_ip(make_app: AppFactory) -> None:
    app, http = await make_app(rate_limit_scim_per_client=2, rate_limit_scim_per_ip=4)
    headers = bearer(await get_token(http, "internal_user_mgt_list"))
    users = "/t/default/scim2/Users"
    for _ in range(2):
        assert (await http.get(users, headers=headers)).status_code == 200
    limited = await http.get(users, headers=headers)
    body = assert_limited(limited)
    assert body["status"] == "429" and "Error" in body["schemas"][0]
    async with from_ip(app, "198.51.100.7") as other_ip:
        for _ in range(4):  # unauthenticated: only the per-IP budget applies
            assert (await other_ip.get(users)).status_code == 401
        assert_limited(await other_ip.get(users))


async def test_signin_endpoints_per_ip(make_app: AppFactory) -> None:
    _app, http = await make_app(rate_limit_signin_per_ip=1)
    first = await http.get("/t/default/oauth2/authorize", params={"client_id": "c"})
    assert first.status_code != 429
    body = assert_limited(await http.get("/t/default/oauth2/authorize"))
    assert body["error"] == "slow_down"


async def test_limits_can_be_turned_off(make_app: AppFactory) -> None:
    _app, http = await make_app(rate_limits_enabled=False, rate_limit_token_per_client=1)
    for _ in range(3):
        assert (await boot_token(http)).status_code == 200


def test_bucket_refills_at_the_per_minute_rate() -> None:
    buckets = TokenBuckets()
    assert [buckets.take("k", 3, now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("k", 3, now=0.0) == 20.0  # one token every 20 s
    assert buckets.take("other", 3, now=0.0) == 0.0
    assert buckets.take("k", 3, now=20.0) == 0.0


def test_bucket_memory_is_bounded() -> None:
    buckets = TokenBuckets(max_keys=10)
    for i in range(100):
        buckets.take(f"ip-{i}", 5, now=float(i * 60))  # each refilled before the next
    assert len(buckets._buckets) <= 10
