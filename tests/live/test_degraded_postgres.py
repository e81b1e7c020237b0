"""PostgreSQL stopped under a live node: requests fail fast with 503 and `/health` says the
database is down; PostgreSQL started again: the same process serves again (issue 13 item 4).
Runs once, on a PostgreSQL cluster of the test's own."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.live.pg_cluster import PgCluster
from tests.live.server import client_token
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow  # starts servers; runs once in CI (`make test`)

OUTAGE_ANSWER_S = 2.0  # the bound: an answer (503) within 2 s, never a hang
RECOVERY_BOUND_S = 30  # bounded polling for recovery, not a performance figure


def token(http: httpx.Client, base: str) -> httpx.Response:
    return client_token(http, base, "internal_application_mgt_view")


def test_postgres_outage_is_503_and_recovers_without_restart(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database("degraded")
    port = free_port(21100, 21125)
    with (
        live_server(url, tmp_path, port=port) as (base, proc),
        httpx.Client(timeout=OUTAGE_ANSWER_S) as http,
    ):
        admin = {"Authorization": f"Bearer {token(http, base).json()['access_token']}"}
        apps = f"{base}/t/default/api/server/v1/applications"
        assert http.get(apps, headers=admin).status_code == 200
        pg_cluster.stop()
        try:
            for _ in range(3):  # pooled connections are dead, then connects are refused
                health = http.get(f"{base}/health")
                assert health.status_code == 503
                assert health.json()["checks"]["database"]["status"] == "down"
                listed = http.get(apps, headers=admin)
                assert listed.status_code == 503, listed.text
                assert listed.headers["retry-after"] == "2"
                issued = token(http, base)
                assert issued.status_code == 503, issued.text
                assert issued.json()["error"] == "temporarily_unavailable"
        finally:
            pg_cluster.start()
        deadline = time.monotonic() + RECOVERY_BOUND_S
        while http.get(f"{base}/health").status_code != 200:
            assert time.monotonic() < deadline, "no recovery after PostgreSQL came back"
            time.sleep(0.2)
        assert token(http, base).status_code == 200
        assert http.get(apps, headers=admin).status_code == 200
        assert proc.poll() is None  # the same process: no restart
