"""HTTP glue for OpenID Connect discovery (public, cacheable)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runegate.oidc.discovery import discovery_document
from runegate.state import AppState

DISCOVERY_PATH = "/t/{org}/oauth2/token/.well-known/openid-configuration"


async def discovery_endpoint(request: Request) -> Response:
    body = orjson.dumps(discovery_document(request.state.tenant))
    headers = {"Cache-Control": "public, max-age=300"}
    return Response(body, headers=headers, media_type="application/json")


def oidc_router(_state: AppState) -> APIRouter:
    router = APIRouter()
    router.add_route(DISCOVERY_PATH, discovery_endpoint, methods=["GET"])
    return router
