"""create_app(settings): mounts the surfaces, middleware and error renderers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter
from fastapi import FastAPI

from runegate import __version__
from runegate.config import Settings
from runegate.http.direct import DirectRoutes
from runegate.http.edge import EdgeMiddleware
from runegate.http.handlers import install_handlers
from runegate.http.middleware import TenantMiddleware
from runegate.oauth.cors import CorsMiddleware
from runegate.observability.health import health
from runegate.observability.metrics import Metrics
from runegate.openapi import install_openapi
from runegate.ratelimit.limiter import Limiter
from runegate.ratelimit.middleware import RateLimitMiddleware
from runegate.runtime import settle_heap
from runegate.secret_check import verify_secret_key
from runegate.state import AppState
from runegate.storage.db import Database

# Surfaces register themselves here: each entry builds routers for one surface.
RouterFactory = Callable[[AppState], APIRouter]


def _surfaces() -> list[RouterFactory]:
    from runegate.routes import SURFACES

    return list(SURFACES)


def create_app(
    settings: Settings | None = None, *, db: Database | None = None, server: bool = False
) -> FastAPI:
    """The ASGI application. `server=True` (a `runegate serve` worker, one app per process)
    also settles the collector once started (runegate.runtime.settle_heap)."""
    settings = settings or Settings()
    state = AppState(settings=settings, db=db or Database(settings.database_url))
    metrics = Metrics()
    state.limiter = limiter = Limiter.from_settings(settings, lambda: state.redis)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await verify_secret_key(state.db, settings.secret_keys)
        await state.caches.refresh(state.db)
        state.caches.start(state.db)
        if settings.redis_url:
            from runegate.redis_link import RedisLink

            state.redis = RedisLink(settings.redis_url, state.caches)
            state.redis.start()  # connects in the background: Redis is never required
            limiter.shared.sync.start()
        if server:
            settle_heap()
        try:
            yield
        finally:
            await limiter.shared.sync.stop()
            if state.redis is not None:
                await state.redis.stop()
                state.redis = None
            await state.caches.stop()
            if db is None:
                await state.db.dispose()

    app = FastAPI(
        title="Runegate",
        version=__version__,
        description="Self-hosted, Asgardeo-compatible identity platform.",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        # Runegate has its own trace ids and Prometheus metrics; FastAPI's native
        # OpenTelemetry hooks otherwise look up providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.runegate = state
    install_handlers(app)
    app.add_api_route("/health", health, methods=["GET"], include_in_schema=False)
    app.add_api_route("/metrics", metrics.endpoint, methods=["GET"], include_in_schema=False)
    for factory in _surfaces():
        app.include_router(factory(state))
    install_openapi(app)
    # Innermost first: Edge > Cors > Tenant > Rate > Direct (then FastAPI).
    app.add_middleware(DirectRoutes, table=state.direct_routes)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_middleware(TenantMiddleware, state=state)
    app.add_middleware(CorsMiddleware, state=state)
    https = settings.base_url.startswith("https://")
    app.add_middleware(
        EdgeMiddleware, metrics=metrics, max_bytes=settings.max_body_bytes, https=https
    )
    return app
