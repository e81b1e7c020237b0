"""The direct lane: the hottest endpoints answered without FastAPI's router.

The token, introspection and revocation endpoints are plain Starlette handlers already
(runegate.oauth.routes). Through FastAPI a request for one of them still crossed three
inner middlewares and a walk over every route of the application before reaching it; here
one dict lookup on (method, path below `/t/{org}/`) finds it. The route stays registered
with FastAPI as well, which answers everything the lane does not take (another method:
405; OPTIONS preflights are answered by the CORS layer before this one).

The lane is the innermost Runegate layer: tenant resolution, CORS, rate limits and the
edge (http/edge.py) apply exactly as on every other route. An `IdpError` is rendered here
in the surface's format, as FastAPI's exception handler would, so that it passes back
through the CORS layer like any other answer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from runegate import errors
from runegate.http.errors import render
from runegate.http.errors import surface_for_path

# (method, path below `/t/{org}/`) -> route; filled by the surfaces that own the routes.
DirectTable = dict[tuple[str, str], Route]


class DirectRoutes:
    def __init__(self, app: ASGIApp, table: DirectTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._find(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = route
        try:
            response: Response = await route.endpoint(Request(scope, receive))
        except errors.IdpError as exc:
            response = render(surface_for_path(scope["path"]), exc)
        await response(scope, receive, send)

    def _find(self, scope: Scope) -> Route | None:
        if scope["type"] != "http":
            return None
        path: str = scope["path"]
        if not path.startswith("/t/"):
            return None
        parts = path.split("/", 3)
        if len(parts) < 4:
            return None
        route = self.table.get((scope["method"], parts[3]))
        if route is not None:
            scope["path_params"] = {"org": parts[2]}
        return route
