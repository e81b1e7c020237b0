"""A database outage gives a fast 503 (with Retry-After) in the surface's format instead
of a hang or a traceback, and the app recovers when the database is back."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator

import pytest

from runegate.storage.db import Database
from tests.conftest import AppFactory
from tests.conftest import basic_auth

HANG_BOUND_S = 10  # generous: proves "no hang", not a performance figure


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A loopback TCP server that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def accept(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield port
    for writer in held:
        writer.close()
    server.close()


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: connections are refused


@pytest.mark.parametrize("mode", ["refused", "silent"])
async def test_outage_is_fast_503_and_recovers(
    make_app: AppFactory, silent_port: int, mode: str
) -> None:
    app, http = await make_app()
    state = app.state.runegate
    healthy = state.db
    port = refused_port() if mode == "refused" else silent_port
    state.db = Database(f"postgresql://nobody@127.0.0.1:{port}/none", pool_size=1)
    state.caches.invalidate()
    try:
        started = time.monotonic()
        management = await http.get("/t/default/api/server/v1/applications")
        oauth = await http.post(
            "/t/default/oauth2/token",
            data={"grant_type": "client_credentials"},
            headers=basic_auth("someone", "something"),
        )
        health = await http.get("/health")
        elapsed = time.monotonic() - started
    finally:
        await state.db.dispose()
        state.db = healthy
    assert management.status_code == 503
    assert management.headers["retry-after"] == "2"
    assert set(management.json()) == {"code", "message", "description", "traceId"}
    assert oauth.status_code == 503
    assert oauth.json()["error"] == "temporarily_unavailable"
    assert health.status_code == 503
    assert elapsed < HANG_BOUND_S * 3
    recovered = await http.get("/t/default/api/server/v1/applications")
    assert recovered.status_code == 401  # served again: asks for a token
