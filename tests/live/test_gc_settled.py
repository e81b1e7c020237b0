"""A real `runegate serve` worker settles its heap once started (runegate.runtime)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server


def test_a_served_worker_freezes_its_start_up_heap(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    with live_server(database_url, tmp_path, port=port) as (base, _proc):
        token = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
        )
        assert token.status_code == 200
        metrics = httpx.get(f"{base}/metrics").text
    found = re.search(r"^runegate_gc_frozen_objects (\d+)\.0$", metrics, re.MULTILINE)
    assert found, "the gauge is missing from /metrics"
    # Start-up leaves well over 100,000 objects alive (FastAPI, SQLAlchemy, every route).
    assert int(found.group(1)) > 50_000
