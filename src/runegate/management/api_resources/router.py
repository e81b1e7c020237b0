"""`/t/{org}/api/server/v1/api-resources` and `/scopes` (Asgardeo API resource
management). Scopes per operation as the catalog (§2.2) says."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Body
from fastapi import Depends
from fastapi import Query
from fastapi import Response

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.management.api_resources import listing
from runegate.management.api_resources import service
from runegate.management.api_resources.schemas import ApiResourceCreate
from runegate.management.api_resources.schemas import ApiResourceList
from runegate.management.api_resources.schemas import ApiResourcePatch
from runegate.management.api_resources.schemas import ApiResourceResponse
from runegate.management.api_resources.schemas import ScopeCreate
from runegate.management.api_resources.schemas import ScopeItem
from runegate.management.common.deps import org_parameter
from runegate.management.common.pagination import MAX_LIMIT
from runegate.management.common.schemas import error_responses
from runegate.state import AppState

View = Annotated[Access, Depends(require_scopes("internal_api_resource_view"))]
Create = Annotated[Access, Depends(require_scopes("internal_api_resource_create"))]
Update = Annotated[Access, Depends(require_scopes("internal_api_resource_update"))]
Delete = Annotated[Access, Depends(require_scopes("internal_api_resource_delete"))]


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/server/v1",
        tags=["API Resources"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 404, 409, 500, 501),
    )
    _resource_routes(router, state)
    _scope_routes(router, state)
    return router


def _resource_routes(router: APIRouter, state: AppState) -> None:
    @router.post(
        "/api-resources", response_model=ApiResourceResponse, response_model_exclude_none=True
    )
    async def add_api_resource(access: Create, body: ApiResourceCreate) -> ApiResourceResponse:
        return await service.create_resource(state=state, tenant=access.tenant, body=body)

    @router.get("/api-resources", response_model=ApiResourceList, response_model_exclude_none=True)
    async def get_api_resources(
        access: View,
        before: Annotated[str | None, Query(max_length=200)] = None,
        after: Annotated[str | None, Query(max_length=200)] = None,
        filter: Annotated[str | None, Query(max_length=1000)] = None,
        limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 10,
        attributes: Annotated[str | None, Query(max_length=100)] = None,
    ) -> ApiResourceList:
        query = listing.CursorQuery(before, after, filter, limit, attributes)
        return await listing.list_resources(state=state, tenant=access.tenant, query=query)

    @router.get(
        "/api-resources/{apiResourceId}",
        response_model=ApiResourceResponse,
        response_model_exclude_none=True,
    )
    async def get_api_resource(access: View, apiResourceId: str) -> ApiResourceResponse:
        return await service.get_resource(state=state, tenant=access.tenant, api_id=apiResourceId)

    @router.patch("/api-resources/{apiResourceId}", status_code=204, response_class=Response)
    async def patch_api_resource(
        access: Update, apiResourceId: str, body: ApiResourcePatch
    ) -> Response:
        await service.patch_resource(
            state=state, tenant=access.tenant, api_id=apiResourceId, body=body
        )
        return Response(status_code=204)

    @router.delete("/api-resources/{apiResourceId}", status_code=204, response_class=Response)
    async def delete_api_resource(access: Delete, apiResourceId: str) -> Response:
        await service.delete_resource(state=state, tenant=access.tenant, api_id=apiResourceId)
        return Response(status_code=204)


def _scope_routes(router: APIRouter, state: AppState) -> None:
    path = "/api-resources/{apiResourceId}/scopes"

    @router.get(path, response_model=list[ScopeItem], response_model_exclude_none=True)
    async def get_api_resource_scopes(access: View, apiResourceId: str) -> list[ScopeItem]:
        return await service.get_scopes(state=state, tenant=access.tenant, api_id=apiResourceId)

    @router.put(path, status_code=204, response_class=Response)
    async def put_api_resource_scopes(
        access: Update,
        apiResourceId: str,
        body: Annotated[list[ScopeCreate], Body(max_length=500)],
    ) -> Response:
        await service.put_scopes(state=state, tenant=access.tenant, api_id=apiResourceId, body=body)
        return Response(status_code=204)

    @router.delete(f"{path}/{{scopeName}}", status_code=204, response_class=Response)
    async def delete_api_resource_scope(
        access: Delete, apiResourceId: str, scopeName: str
    ) -> Response:
        await service.delete_scope(
            state=state, tenant=access.tenant, api_id=apiResourceId, name=scopeName
        )
        return Response(status_code=204)

    @router.get("/scopes", response_model=list[ScopeItem], response_model_exclude_none=True)
    async def get_scopes(
        access: View, filter: Annotated[str | None, Query(max_length=1000)] = None
    ) -> list[ScopeItem]:
        return await listing.list_scopes(state=state, tenant=access.tenant, filter=filter)
