"""Rate limits before any handler: per IP on every limited endpoint, per client where
the client is known without verifying anything (Basic header, `client_id` parameter).

SCIM's per-client limit is applied after the bearer token is verified (`http/auth.py`).
Limited: `POST /oauth2/token` (family `token`); `/oauth2/authorize`, `/oauth2/authn`,
`/authenticationendpoint/*` (`signin`); `/scim2/*` (`scim`).
"""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qsl
from urllib.parse import unquote_plus

from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from runegate.audit.context import client_ip
from runegate.http.errors import render
from runegate.http.errors import surface_for_path
from runegate.ratelimit.limiter import Family
from runegate.ratelimit.limiter import Limiter
from runegate.ratelimit.limiter import too_many

SIGNIN_HEADS = frozenset({("oauth2", "authorize"), ("oauth2", "authn")})


def family_of(method: str, parts: list[str]) -> Family | None:
    """`parts` = the path below `/t/{org}` (`/o` removed)."""
    head = tuple(parts[:2])
    if head == ("oauth2", "token") and len(parts) == 2:
        return "token" if method == "POST" else None
    if head in SIGNIN_HEADS or (parts and parts[0] == "authenticationendpoint"):
        return "signin"
    if parts and parts[0] == "scim2":
        return "scim"
    return None


def basic_client_id(scope: Scope) -> str | None:
    """RFC 6749 §2.3.1: the form-encoded client id of a Basic header (not verified)."""
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:6].lower() == b"basic ":
            try:
                raw = base64.b64decode(value[6:].strip(), validate=True)
            except (binascii.Error, ValueError):
                return None
            client, sep, _ = raw.partition(b":")
            return unquote_plus(client.decode("utf-8", "replace")) if sep else None
    return None


def query_client_id(scope: Scope) -> str | None:
    query = scope.get("query_string", b"").decode("latin-1")
    return next((v for k, v in parse_qsl(query) if k == "client_id"), None)


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/t/") or not self.limiter.rules:
            await self.app(scope, receive, send)
            return
        parts = path.split("/")[3:]
        if parts[:1] == ["o"]:
            parts = parts[1:]
        family = family_of(scope["method"], parts)
        if family is None:
            await self.app(scope, receive, send)
            return
        org = path.split("/", 3)[2]
        tenant = scope.get("state", {}).get("tenant")  # set by TenantMiddleware
        overrides = tenant.rate_limits if tenant is not None else ()
        client, receive = await self._client(family, scope, receive)
        seconds = self.limiter.wait(family, "ip", org, client_ip(scope) or "-", overrides)
        if not seconds and client:
            seconds = self.limiter.wait(family, "client", org, client, overrides)
        if seconds:
            await render(surface_for_path(path), too_many(seconds))(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _client(
        self, family: Family, scope: Scope, receive: Receive
    ) -> tuple[str | None, Receive]:
        if family == "scim":
            return None, receive
        client = basic_client_id(scope) or query_client_id(scope)
        if client or family != "token":
            return client, receive
        return await _form_client_id(receive)


async def _form_client_id(receive: Receive) -> tuple[str | None, Receive]:
    """Read the (size-limited) form body once for `client_id`, then replay it."""
    messages: list[Message] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    client = next((v for k, v in parse_qsl(body.decode("latin-1")) if k == "client_id"), None)

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return client, replay
