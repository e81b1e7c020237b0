"""`/t/{org}/api/server/v1/identity-governance` (Asgardeo identity governance): the
`account.lock.handler` connector of the `Login Attempts Security` category.

Scopes as the catalog (§2.6): `internal_idp_view` to read, `internal_idp_update` to write.
"""

from __future__ import annotations

from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Path
from fastapi import Query
from fastapi import Response

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.management.common.deps import org_parameter
from runegate.management.common.schemas import error_responses
from runegate.management.governance import service
from runegate.management.governance.schemas import CategoriesRes
from runegate.management.governance.schemas import CategoryRes
from runegate.management.governance.schemas import ConnectorRes
from runegate.management.governance.schemas import ConnectorsPatchReq
from runegate.management.governance.schemas import MultipleConnectorsPatchReq
from runegate.management.governance.schemas import PropertyRevertReq
from runegate.state import AppState

View = Annotated[Access, Depends(require_scopes("internal_idp_view"))]
Update = Annotated[Access, Depends(require_scopes("internal_idp_update"))]
CategoryId = Annotated[str, Path(max_length=255)]
ConnectorId = Annotated[str, Path(max_length=255)]
# Writes answer 200 without a body, as Asgardeo's spec (`OK`).
NO_BODY: dict[str, Any] = {
    "status_code": 200,
    "response_class": Response,
    "responses": {200: {"description": "OK."}},
}


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/server/v1/identity-governance",
        tags=["Identity Governance"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 404, 500),
    )

    @router.get("", response_model=list[CategoriesRes])
    async def get_categories(access: View) -> list[CategoriesRes]:
        return service.categories(access.tenant)

    @router.get("/{category_id}", response_model=CategoryRes)
    async def get_category(access: View, category_id: CategoryId) -> CategoryRes:
        service.check_category(category_id)
        return CategoryRes(
            name=service.CATEGORY_NAME, connectors=[await service.connector(state, access.tenant)]
        )

    @router.get("/{category_id}/connectors", response_model=list[ConnectorRes])
    async def get_connectors(access: View, category_id: CategoryId) -> list[ConnectorRes]:
        service.check_category(category_id)
        return [await service.connector(state, access.tenant)]

    @router.get("/{category_id}/connectors/{connector_id}", response_model=ConnectorRes)
    async def get_connector(
        access: View, category_id: CategoryId, connector_id: ConnectorId
    ) -> ConnectorRes:
        service.check_connector(category_id, connector_id)
        return await service.connector(state, access.tenant)

    _write_routes(router, state)
    return router


def _write_routes(router: APIRouter, state: AppState) -> None:
    @router.patch("/{category_id}/connectors/{connector_id}", **NO_BODY)
    async def patch_connector(
        access: Update, category_id: CategoryId, connector_id: ConnectorId, body: ConnectorsPatchReq
    ) -> Response:
        service.check_connector(category_id, connector_id)
        await service.update(state, access.tenant, body.properties)
        return Response(status_code=200)

    @router.patch("/{category_id}/connectors", **NO_BODY)
    async def patch_connectors(
        access: Update, category_id: CategoryId, body: MultipleConnectorsPatchReq
    ) -> Response:
        service.check_category(category_id)
        for item in body.connectors:
            service.check_connector(category_id, item.id)
        properties = [prop for item in body.connectors for prop in item.properties]
        await service.update(state, access.tenant, properties)
        return Response(status_code=200)

    @router.post("/{category_id}/connectors/revert", **NO_BODY)
    async def revert_connector(
        access: Update,
        category_id: CategoryId,
        connector: Annotated[str, Query(alias="connectorId", max_length=255)],
        body: PropertyRevertReq,
    ) -> Response:
        service.check_connector(category_id, connector)
        await service.revert(state, access.tenant, body.properties)
        return Response(status_code=200)
