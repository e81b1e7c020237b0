"""Trace ids and structured logging.

A trace id comes from `traceparent` (W3C Trace Context) or `X-Request-Id`, or is
generated; it lives in a contextvar, is returned as `X-Request-Id` and appears in every
log line and every management error body.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import sys
import uuid
from datetime import UTC
from datetime import datetime

trace_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("trace_id", default="-")

_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def current_trace_id() -> str:
    return trace_id_var.get()


def new_trace_id() -> str:
    """A random (version 4) UUID in its text form, without uuid.UUID's object round trip."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def trace_id_from_headers(traceparent: str | None, request_id: str | None) -> str:
    if traceparent:
        match = _TRACEPARENT.fullmatch(traceparent.strip().lower())
        if match and match.group(1) != "0" * 32:
            return str(uuid.UUID(match.group(1)))
    if request_id and _REQUEST_ID.fullmatch(request_id.strip()):
        return request_id.strip()
    return new_trace_id()


def trace_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The trace id of a request from its raw ASGI headers (`trace_id_from_headers`)."""
    traceparent = request_id = None
    for name, value in headers:
        if name == b"traceparent":
            traceparent = value.decode("latin-1")
        elif name == b"x-request-id":
            request_id = value.decode("latin-1")
    if traceparent is None and request_id is None:
        return new_trace_id()
    return trace_id_from_headers(traceparent, request_id)


class TraceIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.trace_id = trace_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, trace_id, extras."""

    _skip = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "trace_id", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "trace_id": getattr(record, "trace_id", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in self._skip:
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


def configure_logging(level: str = "INFO") -> None:
    """JSON lines when stderr is not a terminal, readable lines when it is."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(TraceIdFilter())
    if sys.stderr.isatty():
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s [%(trace_id)s] %(message)s")
        )
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
