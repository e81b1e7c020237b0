"""The edge: what every HTTP request gets, in one pure ASGI layer (the outermost).

- a trace id (`traceparent`, `X-Request-Id` or new; runegate.tracing) in a contextvar
  for the request, echoed as `X-Request-Id`;
- the audit trail's request facts (runegate.audit.context);
- the body limit: 413 when `Content-Length` is over it, or as soon as a body sent
  without one passes it;
- security headers (runegate.http.headers);
- metrics by route template and the access log line (runegate.observability.metrics);
- the last line of defence: an exception no handler caught leaves as its surface's
  error (an `IdpError`, a database outage as 503) or a generic 500, never a traceback.

These were six middlewares, each wrapping `send` in a closure of its own; one layer with
one `send` wrapper does the same work with a sixth of the calls on every request
(docs/benchmarks.md, "Where the time goes").
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from runegate import errors
from runegate.audit.context import close_facts
from runegate.audit.context import open_facts
from runegate.http.errors import render
from runegate.http.errors import render_unexpected
from runegate.http.errors import surface_for_path
from runegate.http.handlers import unavailable_database
from runegate.http.headers import add_security_headers
from runegate.http.headers import csp_for
from runegate.observability.metrics import Metrics
from runegate.observability.metrics import access_log
from runegate.tracing import trace_id_of
from runegate.tracing import trace_id_var

log = logging.getLogger("runegate.http")


class _BodyTooLarge(Exception):
    pass


class _Exchange:
    """One request's response side: the edge's single `send` wrapper and what it saw."""

    __slots__ = ("csp", "https", "send", "started", "status", "trace")

    def __init__(self, send: Send, trace: bytes, csp: bytes, https: bool) -> None:
        self.send = send
        self.trace = trace
        self.csp = csp
        self.https = https
        self.started = False
        self.status = 500

    async def forward(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            self.status = message["status"]
            headers = list(message.get("headers", ()))
            headers.append((b"x-request-id", self.trace))
            add_security_headers(headers, self.csp, self.https)
            message["headers"] = headers
        await self.send(message)


def declared_length(scope: Scope) -> int | None:
    """The `Content-Length` of a request; -1 when it is not a number; None when absent or
    when the body is chunked (`Transfer-Encoding` wins over a length: RFC 9112 §6.3)."""
    length = None
    for name, value in scope["headers"]:
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            length = int(value) if value.isdigit() else -1
    return length


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_bytes: int, https: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.max_bytes = max_bytes
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        trace_id = trace_id_of(scope["headers"])
        exchange = _Exchange(send, trace_id.encode(), csp_for(scope["path"]), self.https)
        trace_token = trace_id_var.set(trace_id)
        facts_token = open_facts(scope)
        start = time.perf_counter()
        self.metrics.in_progress.inc()
        try:
            await self._guarded(scope, receive, exchange)
        finally:
            self.metrics.in_progress.dec()
            self._finished(scope, exchange.status, time.perf_counter() - start)
            close_facts(facts_token)
            trace_id_var.reset(trace_token)

    async def _guarded(self, scope: Scope, receive: Receive, exchange: _Exchange) -> None:
        length = declared_length(scope)
        try:
            if length is not None and not 0 <= length <= self.max_bytes:
                raise _BodyTooLarge
            # A declared length bounds the body (the server delivers no more than it).
            limited = receive if length is not None else self._counting(receive)
            await self.app(scope, limited, exchange.forward)
        except Exception as exc:  # the last line of defence (module docstring)
            if exchange.started:
                log.error("error after the response started", exc_info=exc)
                return
            await self._render(exc, scope)(scope, receive, exchange.forward)

    def _counting(self, receive: Receive) -> Receive:
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        return counting_receive

    def _render(self, exc: Exception, scope: Scope) -> ASGIApp:
        surface = surface_for_path(scope["path"])
        if isinstance(exc, _BodyTooLarge):
            exc = errors.PayloadTooLarge(
                f"The request body exceeds the limit of {self.max_bytes} bytes."
            )
        mapped = exc if isinstance(exc, errors.IdpError) else unavailable_database(exc)
        if mapped is not None:
            return render(surface, mapped)
        return render_unexpected(surface, exc)

    def _finished(self, scope: Scope, status: int, elapsed: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        method = scope.get("method", "GET")
        self.metrics.record(method, template, status, elapsed)
        if not access_log.isEnabledFor(logging.INFO):
            return  # the usual case under load: build no log record arguments
        # The path only: query strings may carry codes or tokens.
        access_log.info(
            "%s %s %s",
            method,
            scope.get("path", ""),
            status,
            extra={"status": status, "route": template, "duration_ms": round(elapsed * 1000, 2)},
        )
