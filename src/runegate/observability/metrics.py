"""Prometheus metrics: requests by route template and status, and a latency histogram.

Each worker process keeps its own registry; scrape every worker, or run one worker per
node behind the load balancer (docs/deployment).
"""

from __future__ import annotations

import gc
import logging
import time

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

access_log = logging.getLogger("runegate.access")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "runegate_http_requests_total",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "runegate_http_request_duration_seconds",
            "HTTP request latency by method and route template.",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )

        self.in_progress = Gauge(
            "runegate_http_requests_in_progress",
            "HTTP requests being handled now (drained on SIGTERM).",
            registry=self.registry,
        )
        frozen = Gauge(
            "runegate_gc_frozen_objects",
            "Objects moved out of the garbage collector's scans at start-up (runegate.runtime).",
            registry=self.registry,
        )
        frozen.set_function(gc.get_freeze_count)

    async def endpoint(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.in_progress.dec()
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            self.metrics.requests.labels(method, template, str(status)).inc()
            elapsed = time.perf_counter() - start
            self.metrics.latency.labels(method, template).observe(elapsed)
            # The path only: query strings may carry codes or tokens.
            access_log.info(
                "%s %s %s",
                method,
                scope.get("path", ""),
                status,
                extra={
                    "status": status,
                    "route": template,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
