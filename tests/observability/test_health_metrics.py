"""/health and /metrics over real HTTP."""

from __future__ import annotations

import httpx

from tests.conftest import AppFactory


async def test_health_reports_database(client: httpx.AsyncClient, backend: str) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["checks"]["database"]["status"] == "up"
    assert body["checks"]["database"]["backend"] == backend


async def test_health_is_503_when_database_is_down(make_app: AppFactory, tmp_path) -> None:
    app, http = await make_app()
    # Point the app at a database that cannot be reached.
    from runegate.storage.db import Database

    state = app.state.runegate
    healthy_db = state.db
    state.db = Database("postgresql://nobody@127.0.0.1:1/none", pool_size=1)
    try:
        response = await http.get("/health")
    finally:
        await state.db.dispose()
        state.db = healthy_db
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "down"


async def test_metrics_counts_requests_by_route_and_status(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    await client.get("/t/nosuchorg/api/server/v1/applications")
    text = (await client.get("/metrics")).text
    assert 'runegate_http_requests_total{method="GET",route="/health",status="200"}' in text
    assert 'status="404"' in text
    assert "runegate_http_request_duration_seconds_bucket" in text


async def test_an_in_process_app_leaves_the_collector_alone(client: httpx.AsyncClient) -> None:
    """Only `runegate serve` workers freeze their heap; a test process builds many apps
    and must be able to collect each one."""
    text = (await client.get("/metrics")).text
    assert "runegate_gc_frozen_objects 0.0" in text
