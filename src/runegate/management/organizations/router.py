"""`/t/{org}/api/server/v1/organizations` (Asgardeo organization management, §2.5 of the
catalog); the same routes serve `/t/{org}/o/api/server/v1/organizations` for a switched
token, where the scopes are the `internal_org_organization_*` ones (`http/auth.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Body
from fastapi import Depends
from fastapi import Query
from fastapi import Response

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.management.common.deps import org_parameter
from runegate.management.common.schemas import error_responses
from runegate.management.organizations import listing
from runegate.management.organizations import me
from runegate.management.organizations import service
from runegate.management.organizations import views
from runegate.management.organizations.schemas import MetaAttributes
from runegate.management.organizations.schemas import NameCheck
from runegate.management.organizations.schemas import NameCheckResult
from runegate.management.organizations.schemas import OrganizationCreate
from runegate.management.organizations.schemas import OrganizationList
from runegate.management.organizations.schemas import OrganizationMetadata
from runegate.management.organizations.schemas import OrganizationPut
from runegate.management.organizations.schemas import OrganizationResponse
from runegate.management.organizations.schemas import PatchItem
from runegate.state import AppState

View = Annotated[Access, Depends(require_scopes("internal_organization_view"))]
Create = Annotated[Access, Depends(require_scopes("internal_organization_create"))]
Update = Annotated[Access, Depends(require_scopes("internal_organization_update"))]
Delete = Annotated[Access, Depends(require_scopes("internal_organization_delete"))]
Login = Annotated[Access, Depends(require_scopes("internal_login"))]


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/server/v1/organizations",
        tags=["Organizations"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 404, 409, 500),
    )

    @router.post(
        "", status_code=201, response_model=OrganizationResponse, response_model_exclude_none=True
    )
    async def organization_post(
        access: Create, body: OrganizationCreate, response: Response
    ) -> OrganizationResponse:
        created = await service.create_organization(
            state=state, tenant=access.tenant, body=body, creator=access.token.user_id
        )
        base = f"{state.settings.base_url}{views.base_path(access.tenant)}"
        response.headers["Location"] = f"{base}/{created.id}"
        return created

    @router.get("", response_model=OrganizationList, response_model_exclude_none=True)
    async def organizations_get(
        access: View,
        filter: Annotated[str | None, Query(max_length=1000)] = None,
        limit: Annotated[int, Query(ge=0, le=listing.MAX_LIMIT)] = 10,
        after: Annotated[str | None, Query(max_length=400)] = None,
        before: Annotated[str | None, Query(max_length=400)] = None,
        recursive: bool = False,
    ) -> OrganizationList:
        query = listing.OrgQuery(filter, limit, after, before, recursive)
        return await listing.list_organizations(state=state, tenant=access.tenant, query=query)

    @router.post("/check-name", response_model=NameCheckResult)
    async def organizations_check_name_post(access: View, body: NameCheck) -> NameCheckResult:
        return await service.check_name(state=state, tenant=access.tenant, name=body.name)

    @router.get("/metadata", response_model=OrganizationMetadata, response_model_exclude_none=True)
    async def organization_metadata_get(access: View) -> OrganizationMetadata:
        return await service.metadata(state=state, tenant=access.tenant)

    @router.get("/meta-attributes", response_model=MetaAttributes)
    async def organizations_meta_attributes_get(
        access: View,
        filter: Annotated[str | None, Query(max_length=1000)] = None,
        recursive: bool = False,
    ) -> MetaAttributes:
        return await listing.meta_attributes(
            state=state, tenant=access.tenant, filter=filter, recursive=recursive
        )

    @router.get(
        "/{organization_id}", response_model=OrganizationResponse, response_model_exclude_none=True
    )
    async def organization_get(access: View, organization_id: str) -> OrganizationResponse:
        return await service.get_organization(
            state=state, tenant=access.tenant, org_id=organization_id
        )

    @router.patch(
        "/{organization_id}", response_model=OrganizationResponse, response_model_exclude_none=True
    )
    async def organization_patch(
        access: Update,
        organization_id: str,
        body: Annotated[list[PatchItem], Body(max_length=50)],
    ) -> OrganizationResponse:
        return await service.patch_organization(
            state=state, tenant=access.tenant, org_id=organization_id, items=body
        )

    @router.put(
        "/{organization_id}", response_model=OrganizationResponse, response_model_exclude_none=True
    )
    async def organization_put(
        access: Update, organization_id: str, body: OrganizationPut
    ) -> OrganizationResponse:
        return await service.put_organization(
            state=state, tenant=access.tenant, org_id=organization_id, body=body
        )

    @router.delete("/{organization_id}", status_code=204, response_class=Response)
    async def organization_delete(access: Delete, organization_id: str) -> Response:
        await service.delete_organization(state=state, tenant=access.tenant, org_id=organization_id)
        return Response(status_code=204)

    return router


def build_me_router(state: AppState) -> APIRouter:
    """`/t/{org}/api/users/v1/me/organizations` (end-user API, `internal_login`)."""
    router = APIRouter(
        prefix="/t/{org}/api/users/v1/me/organizations",
        tags=["Me"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 500),
    )

    @router.get("", response_model=OrganizationList, response_model_exclude_none=True)
    async def me_organizations_get(
        access: Login,
        filter: Annotated[str | None, Query(max_length=1000)] = None,
        limit: Annotated[int, Query(ge=0, le=listing.MAX_LIMIT)] = 10,
        after: Annotated[str | None, Query(max_length=400)] = None,
        before: Annotated[str | None, Query(max_length=400)] = None,
        recursive: bool = True,
    ) -> OrganizationList:
        query = listing.OrgQuery(filter, limit, after, before, recursive)
        return await me.my_organizations(
            state=state, tenant=access.tenant, user_id=access.token.user_id, query=query
        )

    return router
