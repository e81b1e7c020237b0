"""Crash safety: under sustained token and SCIM write traffic, SIGKILL the server; after a
restart every token that was returned introspects active and every user whose create
answered 201 exists (issue 13 item 3)."""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server

BOOT = (BOOT_CLIENT_ID, BOOT_CLIENT_SECRET)
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"


class Traffic:
    """Background writers that record only what the server confirmed."""

    def __init__(self, base: str, admin: str) -> None:
        self.base = base
        self.admin = {"Authorization": f"Bearer {admin}"}
        self.tokens: list[str] = []
        self.users: list[str] = []
        self.stop = threading.Event()

    def issue_tokens(self) -> None:
        with httpx.Client(timeout=5) as http:
            while not self.stop.is_set():
                try:
                    r = http.post(
                        f"{self.base}/t/default/oauth2/token",
                        data={"grant_type": "client_credentials"},
                        auth=BOOT,
                    )
                except httpx.HTTPError:
                    continue
                if r.status_code == 200:
                    self.tokens.append(r.json()["access_token"])

    def create_users(self) -> None:
        with httpx.Client(timeout=5) as http:
            while not self.stop.is_set():
                name = f"crash-{secrets.token_hex(4)}"
                body = {
                    "schemas": [SCIM_USER],
                    "userName": name,
                    "password": f"Cr4sh-{secrets.token_hex(6)}",
                }
                try:
                    r = http.post(
                        f"{self.base}/t/default/scim2/Users", json=body, headers=self.admin
                    )
                except httpx.HTTPError:
                    continue
                if r.status_code == 201:
                    self.users.append(r.json()["id"])


def test_sigkill_under_write_traffic_loses_nothing(database_url: str, tmp_path: Path) -> None:
    port = free_port(18420, 18450)
    with live_server(database_url, tmp_path, port=port) as (base, proc):
        admin = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "scope": "internal_user_mgt_create internal_user_mgt_view",
            },
            auth=BOOT,
            timeout=10,
        ).json()["access_token"]
        traffic = Traffic(base, admin)
        workers = [threading.Thread(target=traffic.issue_tokens) for _ in range(3)]
        workers.append(threading.Thread(target=traffic.create_users))
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 90
        while (len(traffic.tokens) < 20 or len(traffic.users) < 3) and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.kill()  # SIGKILL while requests are in flight
        proc.wait(timeout=10)
        traffic.stop.set()
        for worker in workers:
            worker.join(timeout=10)
    assert len(traffic.tokens) >= 20 and len(traffic.users) >= 3
    with (
        live_server(database_url, tmp_path, port=port) as (base, _proc),
        httpx.Client(timeout=10) as http,
    ):
        for value in traffic.tokens:
            r = http.post(f"{base}/t/default/oauth2/introspect", data={"token": value}, auth=BOOT)
            assert r.json()["active"] is True
        headers = {"Authorization": f"Bearer {admin}"}
        for user_id in traffic.users:
            r = http.get(f"{base}/t/default/scim2/Users/{user_id}", headers=headers)
            assert r.status_code == 200, r.text
