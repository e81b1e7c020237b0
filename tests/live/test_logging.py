"""Structured logs from a real server: JSON lines with trace ids, and no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server


def test_logs_are_json_with_trace_ids_and_no_secrets(database_url: str, tmp_path: Path) -> None:
    port = free_port(18400, 18450)
    with live_server(database_url, tmp_path, port=port, RUNEGATE_LOG_LEVEL="DEBUG") as (base, _p):
        good = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "internal_application_mgt_view"},
            auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
            headers={"X-Request-Id": "trace-for-good-request"},
        )
        assert good.status_code == 200
        token = good.json()["access_token"]
        bad = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(BOOT_CLIENT_ID, "wrong-" + BOOT_CLIENT_SECRET),
            headers={"X-Request-Id": "trace-for-bad-request"},
        )
        assert bad.status_code == 401
        httpx.get(
            f"{base}/t/default/api/server/v1/applications",
            headers={"Authorization": f"Bearer {token}x"},
        )
    lines = [
        line
        for line in (tmp_path / f"server-{port}.log").read_text().splitlines()
        if line.startswith("{")
    ]
    assert lines, "the server logged nothing as JSON"
    records = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message", "trace_id"} <= r.keys() for r in records)
    bad_lines = [r for r in records if r["trace_id"] == "trace-for-bad-request"]
    assert any(r.get("status") == 401 for r in bad_lines), "no access log for the request"
    text = "\n".join(lines)
    for secret in (BOOT_CLIENT_SECRET, token, "admin-password-for-tests"):
        assert secret not in text
