"""HTTP glue for Roles v2 at `/t/{org}/scim2/v2/Roles` (Asgardeo roles-v2).

Scopes `internal_role_mgt_view/create/update/delete`; errors in the RFC 7644 §3.12
format (401 and 403 included) through `http/errors.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from runegate.errors import InvalidInput
from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.roles import service
from runegate.roles.listing import compile_role_filter
from runegate.roles.listing import load_links
from runegate.roles.listing import render_roles
from runegate.roles.patch import apply_patch
from runegate.roles.wire import input_of
from runegate.roles.wire import role_dict
from runegate.roles.wire import role_input
from runegate.scim.query import ListQuery
from runegate.scim.query import search_query
from runegate.scim.result import ScimResult
from runegate.scim.result import check_if_match
from runegate.scim.result import list_result
from runegate.scim.result import resource_result
from runegate.scim.routes import query_of
from runegate.scim.routes import read_json
from runegate.scim.routes import respond
from runegate.scim.users import as_scim
from runegate.scim.users import scim_base
from runegate.state import AppState
from runegate.storage.models.role import Role
from runegate.storage.repositories.roles import RoleRepository
from runegate.tenancy.context import TenantContext


@contextmanager
def scim_errors() -> Iterator[None]:
    """Domain input errors leave as SCIM `invalidValue` (RFC 7644 §3.12)."""
    try:
        yield
    except InvalidInput as exc:
        raise as_scim(exc) from exc


def _scoped(action: str) -> Any:
    return Depends(require_scopes(f"internal_role_mgt_{action}"))


async def _one(session: AsyncSession, tenant: TenantContext, role: Role, status: int) -> ScimResult:
    links = await load_links(session, tenant, role)
    return resource_result(status, role_dict(role, links, scim_base(tenant)), role.version)


async def _search(session: AsyncSession, tenant: TenantContext, query: ListQuery) -> ScimResult:
    where = compile_role_filter(query.filter)
    repo = RoleRepository(session, tenant=tenant)
    order = [Role.display_name_ci, Role.id]
    total, rows = await repo.page(where, order, query.offset, query.count)
    items = await render_roles(session, tenant, rows, scim_base(tenant))
    return list_result(total, query.start_index, items)


def _collection_routes(router: APIRouter, state: AppState) -> None:
    db = state.db

    async def list_all(request: Request, access: Access = _scoped("view")) -> Response:
        async with db.read() as session:
            return respond(await _search(session, access.tenant, query_of(request)))

    async def search(request: Request, access: Access = _scoped("view")) -> Response:
        query = search_query(await read_json(request))
        async with db.read() as session:
            return respond(await _search(session, access.tenant, query))

    async def create(request: Request, access: Access = _scoped("create")) -> Response:
        body = await read_json(request)
        with scim_errors():
            async with db.write() as session:
                role = await service.create_role(session, access.tenant, role_input(body))
                return respond(await _one(session, access.tenant, role, 201))

    router.add_api_route("/Roles", list_all, methods=["GET"])
    router.add_api_route("/Roles", create, methods=["POST"])
    router.add_api_route("/Roles/.search", search, methods=["POST"])


def _item_routes(router: APIRouter, state: AppState) -> None:
    db = state.db

    async def get(rid: str, access: Access = _scoped("view")) -> Response:
        async with db.read() as session:
            role = await RoleRepository(session, tenant=access.tenant).get(rid)
            return respond(await _one(session, access.tenant, role, 200))

    async def put(request: Request, rid: str, access: Access = _scoped("update")) -> Response:
        body, tenant = await read_json(request), access.tenant
        with scim_errors():
            async with db.write() as session:
                role = await RoleRepository(session, tenant=tenant).get(rid)
                check_if_match(request.headers.get("if-match"), role.version)
                role = await service.update_role(session, tenant, rid, role_input(body))
                return respond(await _one(session, tenant, role, 200))

    async def patch(request: Request, rid: str, access: Access = _scoped("update")) -> Response:
        body, tenant = await read_json(request), access.tenant
        with scim_errors():
            async with db.write() as session:
                role = await RoleRepository(session, tenant=tenant).get(rid)
                check_if_match(request.headers.get("if-match"), role.version)
                data = apply_patch(input_of(role, await load_links(session, tenant, role)), body)
                role = await service.update_role(session, tenant, rid, data)
                return respond(await _one(session, tenant, role, 200))

    async def delete(request: Request, rid: str, access: Access = _scoped("delete")) -> Response:
        async with db.write() as session:
            role = await RoleRepository(session, tenant=access.tenant).get(rid)
            check_if_match(request.headers.get("if-match"), role.version)
            await service.delete_role(session, access.tenant, rid)
        return Response(status_code=204)

    router.add_api_route("/Roles/{rid}", get, methods=["GET"])
    router.add_api_route("/Roles/{rid}", put, methods=["PUT"])
    router.add_api_route("/Roles/{rid}", patch, methods=["PATCH"])
    router.add_api_route("/Roles/{rid}", delete, methods=["DELETE"])


def roles_router(state: AppState) -> APIRouter:
    router = APIRouter(prefix="/t/{org}/scim2/v2", include_in_schema=False)
    _collection_routes(router, state)
    _item_routes(router, state)
    return router
