"""The direct lane (runegate.http.direct) and the edge (runegate.http.edge), over HTTP:
the hot OAuth endpoints answered without FastAPI's router keep every behaviour of the
other routes: metrics by route template, trace ids, the OAuth error format, 405s."""

from __future__ import annotations

import uuid

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.conftest import basic_auth

TOKEN = "/t/default/oauth2/token"
BOOT = basic_auth(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)


def _count(metrics: str, method: str, route: str, status: int) -> float:
    line = f'runegate_http_requests_total{{method="{method}",route="{route}",status="{status}"}}'
    for row in metrics.splitlines():
        if row.startswith(line + " "):
            return float(row.rsplit(" ", 1)[1])
    return 0.0


async def test_hot_endpoints_count_under_their_route_templates(
    client: httpx.AsyncClient,
) -> None:
    issued = await client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=BOOT)
    assert issued.status_code == 200
    token = issued.json()["access_token"]
    bad = basic_auth(BOOT_CLIENT_ID, "not-the-secret")
    refused = await client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=bad)
    assert refused.status_code == 401
    looked = await client.post("/t/default/oauth2/introspect", data={"token": token}, headers=BOOT)
    assert looked.json()["active"] is True
    revoked = await client.post("/t/default/oauth2/revoke", data={"token": token}, headers=BOOT)
    assert revoked.status_code == 200
    metrics = (await client.get("/metrics")).text
    assert _count(metrics, "POST", "/t/{org}/oauth2/token", 200) == 1
    assert _count(metrics, "POST", "/t/{org}/oauth2/token", 401) == 1
    assert _count(metrics, "POST", "/t/{org}/oauth2/introspect", 200) == 1
    assert _count(metrics, "POST", "/t/{org}/oauth2/revoke", 200) == 1
    again = await client.post("/t/default/oauth2/introspect", data={"token": token}, headers=BOOT)
    assert again.json() == {"active": False}


async def test_errors_of_the_lane_keep_the_oauth_format_and_trace_id(
    client: httpx.AsyncClient,
) -> None:
    bad = basic_auth(BOOT_CLIENT_ID, "not-the-secret")
    refused = await client.post(TOKEN, data={"grant_type": "client_credentials"}, headers=bad)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"
    assert refused.headers["cache-control"] == "no-store"
    assert refused.headers["www-authenticate"].startswith("Basic")
    uuid.UUID(refused.headers["x-request-id"])
    unsupported = await client.post(TOKEN, data={"grant_type": "nope"}, headers=BOOT)
    assert unsupported.status_code == 400
    assert unsupported.json()["error"] == "unsupported_grant_type"
    traced = await client.post(TOKEN, data={}, headers={**BOOT, "X-Request-Id": "lane-12345678"})
    assert traced.headers["x-request-id"] == "lane-12345678"


async def test_other_methods_on_hot_paths_fall_through_to_the_router(
    client: httpx.AsyncClient,
) -> None:
    for path in (TOKEN, "/t/default/oauth2/introspect", "/t/default/oauth2/revoke"):
        response = await client.get(path)
        assert response.status_code == 405, path
        assert response.json()["error"] == "invalid_request"
    # The lane matches whole paths only: a longer path is the router's 404.
    longer = await client.post(TOKEN + "/extra", data={"grant_type": "client_credentials"})
    assert longer.status_code == 404
    # An unknown organization never reaches the lane (tenant resolution comes first).
    unknown = await client.post("/t/nosuchorg/oauth2/token", data={}, headers=BOOT)
    assert unknown.status_code == 404


async def test_an_invented_method_is_counted_as_other(client: httpx.AsyncClient) -> None:
    answer = await client.request("BREW", "/health")
    assert answer.status_code == 405
    metrics = (await client.get("/metrics")).text
    assert 'method="OTHER"' in metrics
    assert "BREW" not in metrics
