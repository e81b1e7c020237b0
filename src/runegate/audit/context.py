"""Who is calling and from where: per-request facts the audit trail records.

The edge (http/edge.py) opens one mutable `RequestFacts` per HTTP request (client IP
from the ASGI scope, i.e. after the server's trusted-proxy handling); `http/auth.py`
fills in the caller once its bearer token is verified. Being one mutable object set at
the outermost layer, it is seen by every task of the request.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from starlette.types import Scope

SYSTEM_ACTOR = "system"


@dataclass(slots=True)
class RequestFacts:
    client_ip: str | None
    actor: str = SYSTEM_ACTOR
    actor_type: str = "system"  # user | application | system


_facts: contextvars.ContextVar[RequestFacts | None] = contextvars.ContextVar(
    "runegate_request_facts", default=None
)


def current_facts() -> RequestFacts:
    """This request's facts; outside a request (CLI, bootstrap) the system actor."""
    return _facts.get() or RequestFacts(client_ip=None)


def set_caller(actor: str, actor_type: str) -> None:
    """Record the verified caller of this request (a user id or a client id)."""
    facts = _facts.get()
    if facts is not None:
        facts.actor = actor
        facts.actor_type = actor_type


def client_ip(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def open_facts(scope: Scope) -> contextvars.Token[RequestFacts | None]:
    """Start one request's facts (the edge, http/edge.py, calls this first)."""
    return _facts.set(RequestFacts(client_ip=client_ip(scope)))


def close_facts(token: contextvars.Token[RequestFacts | None]) -> None:
    _facts.reset(token)
