"""CORS for the endpoints a browser application calls directly (single-page apps).

Implements: the Fetch standard's CORS protocol (preflight, `Access-Control-Allow-*`).
- token, userinfo, revoke: an origin is allowed when some application of the
  organization lists it in `allowedOrigins` (Asgardeo's "Allowed origins"); the union
  per organization is cached and dropped on every configuration change (cache.py), so
  no database query per request. The answer names the origin and carries `Vary: Origin`.
- JWKS and discovery are public documents: any origin (`*`), no credentials.
An origin that is not allowed gets no CORS header at all (the browser then blocks the
response); its preflight is answered 403. Errors rendered by the app carry the headers
too, so a browser application can read `error` and `WWW-Authenticate`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sqlalchemy import select
from starlette.datastructures import Headers
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from runegate.cache import Cache
from runegate.storage.models.application import Application
from runegate.tenancy.names import is_valid_org_name

if TYPE_CHECKING:
    from runegate.state import AppState

MAX_AGE = "600"  # seconds a browser may reuse a preflight answer
ALLOW_HEADERS = "Authorization, Content-Type"
EXPOSE_HEADERS = "WWW-Authenticate"
# endpoint -> (allowed methods, public document)
ENDPOINTS: dict[str, tuple[frozenset[str], bool]] = {
    "token": (frozenset({"POST"}), False),
    "userinfo": (frozenset({"GET", "POST"}), False),
    "revoke": (frozenset({"POST"}), False),
    "jwks": (frozenset({"GET"}), True),
    "token/.well-known/openid-configuration": (frozenset({"GET"}), True),
}
PATH = re.compile(r"/t/([^/]+)/oauth2/(" + "|".join(re.escape(e) for e in ENDPOINTS) + r")")
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(origin: str) -> str | None:
    """scheme://host[:port] in lower case, without a default port; None if not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/"):
        return None
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{suffix}"


class AllowedOrigins:
    """The union of `allowedOrigins` of an organization's applications, cached."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self._cache: Cache[frozenset[str]] = Cache(state.caches, "cors_origins")

    async def of(self, org_id: str) -> frozenset[str]:
        found = self._cache.get(org_id)
        if found is not None:
            return found
        stmt = select(Application.oidc).where(Application.org_id == org_id)
        async with self.state.db.read() as session:
            configs = (await session.execute(stmt)).scalars().all()
        origins = {
            normalize_origin(str(origin))
            for config in configs
            for origin in (config or {}).get("allowedOrigins") or ()
        }
        loaded = frozenset(o for o in origins if o)
        self._cache.set(org_id, loaded)
        return loaded

    async def allows(self, org: str, origin: str) -> bool:
        normalized = normalize_origin(origin)
        if normalized is None or not is_valid_org_name(org):
            return False
        tenant = await self.state.find_tenant(org)
        return tenant is not None and normalized in await self.of(tenant.root_id)


class CorsMiddleware:
    """Pure ASGI: answers preflights and adds CORS headers on the listed endpoints."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.origins = AllowedOrigins(state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PATH.fullmatch(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None:
            await self.app(scope, receive, send)
            return
        methods, public = ENDPOINTS[match.group(2)]
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")
        allowed = origin is not None and (
            public or await self.origins.allows(match.group(1), origin)
        )
        preflight = scope["method"] == "OPTIONS" and "access-control-request-method" in (
            request_headers
        )
        if preflight:
            wanted = request_headers["access-control-request-method"].upper()
            ok = allowed and wanted in methods
            headers = _preflight_headers(origin if ok else None, public, methods)
            await Response(status_code=204 if ok else 403, headers=headers)(scope, receive, send)
            return
        await self.app(scope, receive, _with_cors(send, origin if allowed else None, public))


def _allow_origin(origin: str, public: bool) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": "*" if public else origin}


def _preflight_headers(origin: str | None, public: bool, methods: frozenset[str]) -> dict[str, str]:
    headers = {} if public else {"Vary": "Origin"}
    if origin is None:
        return headers
    return {
        **headers,
        **_allow_origin(origin, public),
        "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": MAX_AGE,
    }


def _with_cors(send: Send, origin: str | None, public: bool) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if not public:
                headers.add_vary_header("Origin")
            if origin is not None:
                for name, value in _allow_origin(origin, public).items():
                    headers[name] = value
                headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        await send(message)

    return wrapped
