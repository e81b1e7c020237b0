"""Prometheus metrics: requests by route template and status, and a latency histogram.

Each worker process keeps its own registry; scrape every worker, or run one worker per
node behind the load balancer (docs/deployment).
"""

from __future__ import annotations

import gc
import logging

from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from starlette.requests import Request
from starlette.responses import Response

access_log = logging.getLogger("runegate.access")
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


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
        # labels() takes a lock and hashes its arguments: keep the children per label set.
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def record(self, method: str, template: str, status: int, elapsed: float) -> None:
        """Count one finished request (the edge, http/edge.py, calls this)."""
        if method not in METHODS:
            method = "OTHER"  # a client's invented method is not a new label set
        key = (method, template, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(method, template, str(status)),
                self.latency.labels(method, template),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(elapsed)

    async def endpoint(self, _request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)
