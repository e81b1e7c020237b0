"""Several nodes starting at once on an empty PostgreSQL database: migrations, the secret
check and bootstrap each run under a database lock, so every node ends up serving and the
bootstrap data exists exactly once (issue 13 item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.live.pg_cluster import PgCluster
from tests.live.server import free_port
from tests.live.server import spawn_server
from tests.live.server import stop_server
from tests.live.server import wait_healthy

pytestmark = pytest.mark.slow  # starts servers; runs once in CI (`make test`)

EXACTLY_ONCE = {
    "SELECT count(*) FROM alembic_version": "1",
    "SELECT count(*) FROM deployment_check": "1",
    "SELECT count(*) FROM organization": "1",
    "SELECT count(*) FROM user_account": "1",
    "SELECT count(*) FROM application WHERE name = 'Runegate Bootstrap'": "1",
    "SELECT count(*) FROM signing_key WHERE active": "2",  # RS256 and ES256
}


def test_nodes_starting_at_once_set_up_the_database_once(
    pg_cluster: PgCluster, tmp_path: Path
) -> None:
    url = pg_cluster.create_database("concurrent_start")
    ports = [free_port(21050, 21075)]
    ports.append(free_port(ports[0] + 1, 21100))
    procs = [spawn_server(url, tmp_path, port=port) for port in ports]  # both `serve --setup`
    try:
        for proc, port in zip(procs, ports, strict=True):
            wait_healthy(proc, tmp_path, port)
    finally:
        for proc in procs:
            stop_server(proc)
    for sql, expected in EXACTLY_ONCE.items():
        assert pg_cluster.query(sql, "concurrent_start") == expected, sql
