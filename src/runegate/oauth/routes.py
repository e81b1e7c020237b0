"""HTTP glue for the OAuth endpoints: plain Starlette routes (no dependency injection)
on the hot path; the engine modules stay framework-free."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from runegate.oauth.endpoints.introspection import introspect
from runegate.oauth.endpoints.revocation import revoke
from runegate.oauth.endpoints.token import NO_STORE
from runegate.oauth.endpoints.token import token
from runegate.oauth.request import OAuthRequest
from runegate.oauth.request import parse_form
from runegate.oauth.service import OAuthServer
from runegate.oauth.service import install
from runegate.oidc.routes import oidc_router
from runegate.state import AppState

JWKS_CACHE = {"Cache-Control": "public, max-age=300"}


def json_response(body: object, headers: dict[str, str] | None = NO_STORE) -> Response:
    return Response(orjson.dumps(body), headers=headers, media_type="application/json")


async def read_request(request: Request) -> OAuthRequest:
    body = await request.body()
    params = parse_form(request.headers.get("content-type"), body)
    return OAuthRequest(
        tenant=request.state.tenant,
        params=params,
        authorization=request.headers.get("authorization"),
    )


def _lifespan(server: OAuthServer) -> Any:
    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        server.purge.start()
        server.backchannel.start()
        try:
            yield
        finally:
            await server.backchannel.stop()
            await server.purge.stop()

    return lifespan


def oauth_router(state: AppState) -> APIRouter:
    server: OAuthServer = install(state)
    router = APIRouter(lifespan=_lifespan(server))

    async def token_endpoint(request: Request) -> Response:
        req = await read_request(request)
        sub_org = getattr(request.state, "sub_org", None)
        return json_response(await token(req, server.authenticator, server.grants, sub_org=sub_org))

    async def introspection_endpoint(request: Request) -> Response:
        req = await read_request(request)
        return json_response(await introspect(req, server.authenticator, server.lookup))

    async def revocation_endpoint(request: Request) -> Response:
        req = await read_request(request)
        await revoke(req, server.authenticator, server.lookup)
        return Response(b"", headers=NO_STORE)

    async def jwks_endpoint(request: Request) -> Response:
        document = await server.keys.jwks(request.state.tenant.root_id)
        return json_response(document, JWKS_CACHE)

    hot = (
        ("oauth2/token", token_endpoint),
        ("oauth2/introspect", introspection_endpoint),
        ("oauth2/revoke", revocation_endpoint),
    )
    for path, endpoint in hot:
        route = Route(f"/t/{{org}}/{path}", endpoint, methods=["POST"])
        router.routes.append(route)
        state.direct_routes[("POST", path)] = route  # runegate.http.direct
    router.add_route("/t/{org}/oauth2/jwks", jwks_endpoint, methods=["GET"])
    router.include_router(oidc_router(state))
    return router
