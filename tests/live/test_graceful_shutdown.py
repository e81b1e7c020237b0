"""SIGTERM drains: a request in flight when the signal arrives gets its whole answer, and
a request that never finishes is cut at `RUNEGATE_SHUTDOWN_GRACE_SECONDS` so the process
exits (issue 13 item 3)."""

from __future__ import annotations

import json
import secrets
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import BOOT_CLIENT_ID
from tests.conftest import BOOT_CLIENT_SECRET
from tests.live.server import free_port
from tests.live.server import live_server

pytestmark = pytest.mark.slow  # starts servers; runs once in CI (`make test`)

GRACE = 3
SCIM_USER = "urn:ietf:params:scim:schemas:core:2.0:User"


def open_request(port: int, token: str, body: bytes) -> socket.socket:
    """Send the headers and all but the last byte of a SCIM create: the request is in flight."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (
        "POST /t/default/scim2/Users HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\n"
        "Content-Type: application/scim+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    sock.sendall(head.encode() + body[:-1])
    return sock


def read_response(sock: socket.socket) -> tuple[int, bytes]:
    """Read until the server closes; the answer must be whole (its Content-Length)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert len(body) == int(headers["content-length"]), data
    return int(lines[0].split(" ", 2)[1]), body


def in_flight(base: str, count: int) -> None:
    """Wait until `count` requests besides the /metrics request itself are in progress."""
    deadline = time.monotonic() + 30
    line = f"runegate_http_requests_in_progress {count + 1}.0"
    while line not in httpx.get(f"{base}/metrics", timeout=10).text.splitlines():
        assert time.monotonic() < deadline, "the requests did not reach the application"
        time.sleep(0.05)


def refusing(port: int) -> None:
    """Wait until the draining server no longer accepts connections."""
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        assert time.monotonic() < deadline, "the server kept accepting connections"
        time.sleep(0.05)


def test_sigterm_drains_in_flight_requests_within_grace(tmp_path: Path) -> None:
    port = free_port(21000, 21050)
    url = f"sqlite:///{tmp_path}/runegate.db"
    overrides = {"RUNEGATE_SHUTDOWN_GRACE_SECONDS": str(GRACE)}
    with live_server(url, tmp_path, port=port, **overrides) as (base, proc):
        token = httpx.post(
            f"{base}/t/default/oauth2/token",
            data={"grant_type": "client_credentials", "scope": "internal_user_mgt_create"},
            auth=(BOOT_CLIENT_ID, BOOT_CLIENT_SECRET),
            timeout=10,
        ).json()["access_token"]
        name = f"drain-{secrets.token_hex(4)}"
        body = json.dumps({"schemas": [SCIM_USER], "userName": name}).encode()
        finishing = open_request(port, token, body)
        stuck = open_request(port, token, body)  # never completes its body
        in_flight(base, 2)  # both requests reached the application
        proc.terminate()
        refusing(port)  # the server is draining: finish the first request now
        finishing.sendall(body[-1:])
        status, created = read_response(finishing)
        assert status == 201, created
        assert json.loads(created)["userName"] == name
        # The stuck request is cut when the grace time is over, and the process exits.
        assert proc.wait(timeout=GRACE + 15) in (0, -signal.SIGTERM)
        status, _ = read_response(stuck)  # uvicorn answers the cut request with a 500
        assert status >= 500
        finishing.close()
        stuck.close()
