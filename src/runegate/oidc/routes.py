"""HTTP glue for OpenID Connect: discovery (public, cacheable) and userinfo."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runegate.oauth.endpoints.token import NO_STORE
from runegate.oauth.service import server_of
from runegate.oidc.discovery import discovery_document
from runegate.oidc.userinfo import userinfo
from runegate.state import AppState

DISCOVERY_PATH = "/t/{org}/oauth2/token/.well-known/openid-configuration"
USERINFO_PATH = "/t/{org}/oauth2/userinfo"


async def discovery_endpoint(request: Request) -> Response:
    body = orjson.dumps(discovery_document(request.state.tenant))
    headers = {"Cache-Control": "public, max-age=300"}
    return Response(body, headers=headers, media_type="application/json")


def oidc_router(state: AppState) -> APIRouter:
    """Mounted after the token service (`oauth/routes.py` installs it)."""
    server = server_of(state)

    async def userinfo_endpoint(request: Request) -> Response:
        claims = await userinfo(request, server.clients, server.id_tokens)
        return Response(orjson.dumps(claims), headers=NO_STORE, media_type="application/json")

    router = APIRouter()
    router.add_route(DISCOVERY_PATH, discovery_endpoint, methods=["GET"])
    router.add_route(USERINFO_PATH, userinfo_endpoint, methods=["GET", "POST"])
    return router
