"""`/health`: liveness and readiness in one JSON document; 503 when the database is down.
Redis, when configured, is reported but never makes a node unhealthy (it is optional)."""

from __future__ import annotations

import asyncio
import time

from starlette.requests import Request
from starlette.responses import JSONResponse

from runegate import __version__
from runegate.state import AppState

PING_TIMEOUT = 2.0


async def health(request: Request) -> JSONResponse:
    state: AppState = request.app.state.runegate
    started = time.perf_counter()
    try:
        await asyncio.wait_for(state.db.ping(), PING_TIMEOUT)
        database = {"status": "up", "latencyMs": round((time.perf_counter() - started) * 1000, 2)}
    except Exception as exc:
        database = {"status": "down", "error": type(exc).__name__}
    healthy = database["status"] == "up"
    checks: dict[str, object] = {"database": {"backend": state.db.engine.dialect.name, **database}}
    if state.redis is not None:  # optional: the node serves from the database without it
        checks["redis"] = {"status": "up" if state.redis.available else "down"}
    body = {
        "status": "healthy" if healthy else "unhealthy",
        "version": __version__,
        "checks": checks,
    }
    return JSONResponse(
        body, status_code=200 if healthy else 503, headers={"Cache-Control": "no-store"}
    )
