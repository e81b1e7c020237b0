"""HTTP glue for `/t/{org}/scim2` (the only module here that imports FastAPI/Starlette).

Content types `application/scim+json` and `application/json` are accepted; responses
are `application/scim+json` (RFC 7644 §3.1). Errors, 401 and 403 included, leave in
the RFC 7644 §3.12 format through `http/errors.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import APIRouter
from fastapi import Depends
from starlette.requests import Request
from starlette.responses import Response

from runegate.errors import UnsupportedMediaType
from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.identity.passwords import prehashed
from runegate.scim import discovery
from runegate.scim import groups
from runegate.scim import me
from runegate.scim import root
from runegate.scim import users
from runegate.scim.bulk import BulkContext
from runegate.scim.bulk import run_bulk
from runegate.scim.errors import InvalidSyntax
from runegate.scim.query import ListQuery
from runegate.scim.query import build_query
from runegate.scim.query import search_query
from runegate.scim.result import ScimResult
from runegate.scim.users import passwords_in
from runegate.scim.users import scim_base
from runegate.state import AppState

SCIM_JSON = "application/scim+json"
ACCEPTED_TYPES = ("application/scim+json", "application/json")
BULK_SCOPE = "internal_bulk_resource_create"


@dataclass(frozen=True)
class Scopes:
    """The catalog's scope per operation (GET /Users lists with `_list`, by id `_view`)."""

    list: str
    view: str
    create: str
    update: str
    delete: str


USER_SCOPES = Scopes(
    "internal_user_mgt_list",
    "internal_user_mgt_view",
    "internal_user_mgt_create",
    "internal_user_mgt_update",
    "internal_user_mgt_delete",
)
GROUP_SCOPES = Scopes(
    "internal_group_mgt_view",
    "internal_group_mgt_view",
    "internal_group_mgt_create",
    "internal_group_mgt_update",
    "internal_group_mgt_delete",
)


def respond(result: ScimResult) -> Response:
    if result.body is None:
        return Response(status_code=result.status, headers=result.headers)
    return Response(
        orjson.dumps(result.body),
        status_code=result.status,
        headers=result.headers,
        media_type=SCIM_JSON,
    )


async def read_json(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in ACCEPTED_TYPES:
        raise UnsupportedMediaType("Use application/scim+json or application/json.")
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise InvalidSyntax("The request body is not valid JSON.") from exc


def query_of(request: Request) -> ListQuery:
    return build_query(dict(request.query_params))


def _scoped(scope: str) -> Any:
    return Depends(require_scopes(scope))


def _discovery_routes(router: APIRouter) -> None:
    def base(request: Request) -> str:
        return scim_base(request.state.tenant)

    async def spc(request: Request) -> Response:
        return respond(ScimResult(200, discovery.service_provider_config(base(request))))

    async def schemas(request: Request) -> Response:
        items = discovery.schemas(base(request))
        return respond(ScimResult(200, _list(items)))

    async def schema(request: Request, schema_id: str) -> Response:
        return respond(ScimResult(200, discovery.schema(base(request), schema_id)))

    async def types(request: Request) -> Response:
        return respond(ScimResult(200, _list(discovery.resource_types(base(request)))))

    async def rtype(request: Request, type_id: str) -> Response:
        return respond(ScimResult(200, discovery.resource_type(base(request), type_id)))

    router.add_api_route("/ServiceProviderConfig", spc, methods=["GET"])
    router.add_api_route("/Schemas", schemas, methods=["GET"])
    router.add_api_route("/Schemas/{schema_id}", schema, methods=["GET"])
    router.add_api_route("/ResourceTypes", types, methods=["GET"])
    router.add_api_route("/ResourceTypes/{type_id}", rtype, methods=["GET"])


def _list(items: list[dict[str, Any]]) -> dict[str, Any]:
    from runegate.scim.result import list_result

    return dict(list_result(len(items), 1, items).body)


def _resource_routes(router: APIRouter, state: AppState, kind: str, scopes: Scopes) -> None:
    """CRUD, list and .search for /Users or /Groups (same engine signatures)."""
    db, engine = state.db, users if kind == "Users" else groups
    keys = state.settings.secret_keys  # seal the cursors of RFC 9865 paging

    def secrets(body: Any) -> list[str]:
        return passwords_in(body) if kind == "Users" else []

    # Listings only read, and need no common snapshot: no transaction (db.read_unshared).
    async def list_all(request: Request, access: Access = _scoped(scopes.list)) -> Response:
        async with db.read_unshared() as session:
            result = await engine.search(session, access.tenant, query_of(request), keys=keys)
        return respond(result)

    async def search(request: Request, access: Access = _scoped(scopes.list)) -> Response:
        query = search_query(await read_json(request))
        async with db.read_unshared() as session:
            return respond(await engine.search(session, access.tenant, query, keys=keys))

    async def create(request: Request, access: Access = _scoped(scopes.create)) -> Response:
        body = await read_json(request)
        async with prehashed(secrets(body)), db.write() as session:
            return respond(await engine.create(session, access.tenant, body, query_of(request)))

    async def get(request: Request, rid: str, access: Access = _scoped(scopes.view)) -> Response:
        etag, query = request.headers.get("if-none-match"), query_of(request)
        async with db.read() as session:
            return respond(await engine.get(session, access.tenant, rid, query, etag))

    async def put(request: Request, rid: str, access: Access = _scoped(scopes.update)) -> Response:
        body, etag = await read_json(request), request.headers.get("if-match")
        async with prehashed(secrets(body)), db.write() as session:
            result = await engine.replace(
                session, access.tenant, rid, body, query_of(request), etag
            )
        return respond(result)

    async def patch(
        request: Request, rid: str, access: Access = _scoped(scopes.update)
    ) -> Response:
        body, etag = await read_json(request), request.headers.get("if-match")
        async with prehashed(secrets(body)), db.write() as session:
            result = await engine.patch(session, access.tenant, rid, body, query_of(request), etag)
        return respond(result)

    async def delete(
        request: Request, rid: str, access: Access = _scoped(scopes.delete)
    ) -> Response:
        etag = request.headers.get("if-match")
        async with db.write() as session:
            return respond(await engine.delete(session, access.tenant, rid, etag))

    router.add_api_route(f"/{kind}", list_all, methods=["GET"])
    router.add_api_route(f"/{kind}", create, methods=["POST"])
    router.add_api_route(f"/{kind}/.search", search, methods=["POST"])
    router.add_api_route(f"/{kind}/{{rid}}", get, methods=["GET"])
    router.add_api_route(f"/{kind}/{{rid}}", put, methods=["PUT"])
    router.add_api_route(f"/{kind}/{{rid}}", patch, methods=["PATCH"])
    router.add_api_route(f"/{kind}/{{rid}}", delete, methods=["DELETE"])


def _me_routes(router: APIRouter, state: AppState) -> None:
    db = state.db

    async def get(request: Request, access: Access = _scoped("internal_login")) -> Response:
        etag = request.headers.get("if-none-match")
        async with db.read() as session:
            return respond(await me.get(session, access, query_of(request), etag))

    async def put(request: Request, access: Access = _scoped("internal_login")) -> Response:
        body, etag = await read_json(request), request.headers.get("if-match")
        async with prehashed(passwords_in(body)), db.write() as session:
            return respond(await me.replace(session, access, body, query_of(request), etag))

    async def patch(request: Request, access: Access = _scoped("internal_login")) -> Response:
        body, etag = await read_json(request), request.headers.get("if-match")
        async with prehashed(passwords_in(body)), db.write() as session:
            return respond(await me.patch(session, access, body, query_of(request), etag))

    router.add_api_route("/Me", get, methods=["GET"])
    router.add_api_route("/Me", put, methods=["PUT"])
    router.add_api_route("/Me", patch, methods=["PATCH"])


def _root_routes(router: APIRouter, state: AppState) -> None:
    any_list = Depends(require_scopes(root.USERS_SCOPE, root.GROUPS_SCOPE, any_of=True))

    async def search(request: Request, access: Access = any_list) -> Response:
        query = search_query(await read_json(request))
        async with state.db.read() as session:
            result = await root.search_all(session, access.tenant, query, access.token.scopes)
        return respond(result)

    router.add_api_route("/.search", search, methods=["POST"])


def _bulk_routes(router: APIRouter, state: AppState) -> None:
    async def bulk(
        request: Request, access: Access = _scoped("internal_bulk_resource_create")
    ) -> Response:
        body = await read_json(request)
        return respond(await run_bulk(BulkContext(state.db, access), body))

    router.add_api_route("/Bulk", bulk, methods=["POST"])


def scim_router(state: AppState) -> APIRouter:
    """Mounted at `/t/{org}/scim2` and, for switched organizations, `/t/{org}/o/scim2`."""
    router = APIRouter(prefix="/t/{org}/scim2", include_in_schema=False)
    _discovery_routes(router)
    _resource_routes(router, state, "Users", USER_SCOPES)
    _resource_routes(router, state, "Groups", GROUP_SCOPES)
    _me_routes(router, state)
    _bulk_routes(router, state)
    _root_routes(router, state)
    return router
