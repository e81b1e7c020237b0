"""Backups: `pg_dump` of a live deployment restored into a fresh database serves what was
there: tokens introspect active, applications' client credentials work, users exist
(issue 13 item 5; the commands are the ones docs/deployment.md gives)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.pg_cluster import PgCluster
from tests.live.server import client_token
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow  # starts servers; runs once in CI (`make test`)

BOOT = (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ADMIN_SCOPES = "internal_application_mgt_create internal_user_mgt_create internal_user_mgt_view"


def token(http: httpx.Client, base: str, auth: tuple[str, str], scope: str = "") -> str:
    response = client_token(http, base, scope, auth)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def test_dump_restored_into_a_fresh_database_serves(pg_cluster: PgCluster, tmp_path: Path) -> None:
    url = pg_cluster.create_database("backup_source")
    port = free_port(21125, 21150)
    with live_server(url, tmp_path, port=port) as (base, _proc), httpx.Client(timeout=10) as http:
        admin = {"Authorization": f"Bearer {token(http, base, BOOT, ADMIN_SCOPES)}"}
        app = http.post(
            f"{base}/t/default/api/server/v1/applications",
            json={"name": "backed-up", "templateId": "m2m-application"},
            headers=admin,
        ).json()
        creds = (app["clientId"], app["clientSecret"])
        issued = token(http, base, creds)
        user = http.post(
            f"{base}/t/default/scim2/Users",
            json={"schemas": [SCIM_USER], "userName": "restored-user"},
            headers=admin,
        )
        assert user.status_code == 201, user.text
        dump = tmp_path / "runegate.dump"
        subprocess.run(
            [pg_cluster.tool("pg_dump"), "-Fc", "-f", str(dump), url], check=True, timeout=60
        )
    restored = pg_cluster.create_database("backup_restored")
    subprocess.run(
        [pg_cluster.tool("pg_restore"), "--no-owner", "-d", restored, str(dump)],
        check=True,
        timeout=60,
    )
    # Plain `serve` (no --setup): the restored database alone is enough to serve.
    with (
        live_server(restored, tmp_path, port=port, setup=False) as (base, _proc),
        httpx.Client(timeout=10) as http,
    ):
        active = http.post(f"{base}/t/default/oauth2/introspect", data={"token": issued}, auth=BOOT)
        assert active.json()["active"] is True
        assert active.json()["client_id"] == creds[0]
        token(http, base, creds)  # the application's client credentials still work
        admin = {"Authorization": f"Bearer {token(http, base, BOOT, ADMIN_SCOPES)}"}
        found = http.get(f"{base}/t/default/scim2/Users/{user.json()['id']}", headers=admin)
        assert found.status_code == 200
        assert found.json()["userName"] == "restored-user"
