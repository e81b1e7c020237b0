"""Pure ASGI middleware: tenant resolution (`/t/{org}`)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from runegate import errors
from runegate.http.errors import render
from runegate.http.errors import surface_for_path
from runegate.tenancy.names import is_valid_org_name

if TYPE_CHECKING:
    from runegate.state import AppState


# The organization (B2B) APIs served below `/t/{root}/o/...` for a switched token: the
# same routes as the root ones (STYLE §3: the sub-organization comes from the token).
ORG_API_PREFIXES = (
    "/api/server/v1/applications",
    "/api/server/v1/organizations",
    "/scim2/Users",
    "/scim2/Groups",
    "/scim2/v2/Roles",
)


_ORG_TOKEN = re.compile(r"/([0-9a-fA-F-]{36})/oauth2/token")


def _org_api(rest: str) -> bool:
    return any(rest == p or rest.startswith(p + "/") for p in ORG_API_PREFIXES)


class TenantMiddleware:
    """Resolve `/t/{org}/...` once, before any handler; unknown organizations are 404.

    `/t/{org}/o/<api>` is routed to `/t/{org}/<api>` with `state.org_path` set: the
    token check then requires an organization-switched token and `internal_org_*` scopes
    (`http/auth.py`), and the handlers act in the token's organization."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/t/"):
            await self.app(scope, receive, send)
            return
        name = path.split("/", 3)[2]
        # Dot segments can only come from encoded slashes (`%2f..`): never a route.
        dotted = any(part in (".", "..") for part in path.split("/"))
        valid = is_valid_org_name(name) and not dotted
        tenant = await self.state.find_tenant(name) if valid else None
        if tenant is None:
            exc = errors.NotFound(
                "The organization does not exist.",
                code="ORG-60003",
                message="Organization not found",
            )
            # The raw path: an encoded `/` in the name (`/t/..%2f/scim2/...`) must not
            # shift the surface segment (found by the hostile-input corpus).
            raw: bytes = scope.get("raw_path") or path.encode()
            surface = surface_for_path(raw.decode("latin-1").split("?", 1)[0])
            await render(surface, exc)(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["tenant"] = tenant
        prefix = f"/t/{name}/o"
        if path.startswith(prefix + "/"):
            rest = path[len(prefix) :]
            signin = _ORG_TOKEN.fullmatch(rest)
            if signin is not None:
                # `/t/{root}/o/{org-id}/oauth2/token`: a sub-organization's users sign in
                # through an application shared with it (oauth/endpoints/token.py).
                state["sub_org"] = signin.group(1)
                token_path = f"/t/{name}/oauth2/token"
                await self.app(
                    dict(scope, path=token_path, raw_path=token_path.encode()), receive, send
                )
                return
            if not _org_api(rest):
                exc = errors.NotFound("No organization API is served at this path.")
                await render(surface_for_path(path), exc)(scope, receive, send)
                return
            state["org_path"] = True
            scope = dict(scope, path=f"/t/{name}{rest}", raw_path=f"/t/{name}{rest}".encode())
        await self.app(scope, receive, send)
