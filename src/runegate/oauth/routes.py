"""HTTP glue for the OAuth endpoints: plain Starlette routes (no dependency injection)
on the hot path; the engine modules stay framework-free."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from runegate.oauth.endpoints.token import NO_STORE
from runegate.oauth.endpoints.token import token
from runegate.oauth.request import OAuthRequest
from runegate.oauth.request import parse_form
from runegate.oauth.service import OAuthServer
from runegate.oauth.service import install
from runegate.state import AppState


def json_response(body: object, status: int = 200, no_store: bool = True) -> Response:
    headers = NO_STORE if no_store else None
    return Response(
        orjson.dumps(body), status_code=status, headers=headers, media_type="application/json"
    )


async def read_request(request: Request) -> OAuthRequest:
    body = await request.body()
    params = parse_form(request.headers.get("content-type"), body)
    return OAuthRequest(
        tenant=request.state.tenant,
        params=params,
        authorization=request.headers.get("authorization"),
    )


def oauth_router(state: AppState) -> APIRouter:
    server: OAuthServer = install(state)
    router = APIRouter()

    async def token_endpoint(request: Request) -> Response:
        req = await read_request(request)
        return json_response(await token(req, server.authenticator, server.issuer))

    router.add_route("/t/{org}/oauth2/token", token_endpoint, methods=["POST"])
    return router
