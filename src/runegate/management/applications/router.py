"""`/t/{org}/api/server/v1/applications` (Asgardeo application management).

Scopes per operation as the catalog (§2.1) says; regenerate-secret accepts both the
docs' `internal_application_mgt_create` and upstream's `..._client_secret_create`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query
from fastapi import Response

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.management.applications import authorization
from runegate.management.applications import inbound
from runegate.management.applications import service
from runegate.management.applications import sharing
from runegate.management.applications.listing import ListQuery
from runegate.management.applications.listing import list_applications
from runegate.management.applications.oidc_schemas import OidcConfig
from runegate.management.applications.schemas import ApplicationCreate
from runegate.management.applications.schemas import ApplicationCreated
from runegate.management.applications.schemas import ApplicationList
from runegate.management.applications.schemas import ApplicationPatch
from runegate.management.applications.schemas import ApplicationResponse
from runegate.management.applications.schemas import ApplicationShareRequest
from runegate.management.applications.schemas import AuthorizedApi
from runegate.management.applications.schemas import AuthorizedApiCreate
from runegate.management.applications.schemas import AuthorizedApiPatch
from runegate.management.applications.schemas import SharedApplications
from runegate.management.applications.schemas import SharedOrganizations
from runegate.management.common.deps import org_parameter
from runegate.management.common.pagination import MAX_LIMIT
from runegate.management.common.schemas import error_responses
from runegate.state import AppState

View = Annotated[Access, Depends(require_scopes("internal_application_mgt_view"))]
Create = Annotated[Access, Depends(require_scopes("internal_application_mgt_create"))]
Update = Annotated[Access, Depends(require_scopes("internal_application_mgt_update"))]
Delete = Annotated[Access, Depends(require_scopes("internal_application_mgt_delete"))]
SecretCreate = Annotated[
    Access,
    Depends(
        require_scopes(
            "internal_application_mgt_create",
            "internal_application_mgt_client_secret_create",
            any_of=True,
        )
    ),
]
ShareCreate = Annotated[Access, Depends(require_scopes("internal_shared_application_create"))]
ShareView = Annotated[Access, Depends(require_scopes("internal_shared_application_view"))]
ShareDelete = Annotated[Access, Depends(require_scopes("internal_shared_application_delete"))]


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/server/v1/applications",
        tags=["Applications"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 404, 409, 500, 501),
    )
    _crud_routes(router, state)
    _inbound_routes(router, state)
    _authorized_api_routes(router, state)
    _sharing_routes(router, state)
    return router


def _crud_routes(router: APIRouter, state: AppState) -> None:
    @router.get("", response_model=ApplicationList, response_model_exclude_none=True)
    async def get_all_applications(
        access: View,
        limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 30,
        offset: Annotated[int, Query(ge=0)] = 0,
        filter: Annotated[str | None, Query(max_length=1000)] = None,
        sortOrder: Annotated[str | None, Query(pattern="^(ASC|DESC)$")] = None,
        sortBy: Annotated[str | None, Query(max_length=64)] = None,
        attributes: Annotated[str | None, Query(max_length=500)] = None,
    ) -> ApplicationList:
        query = ListQuery(limit, offset, filter, sortOrder, sortBy, attributes)
        return await list_applications(state=state, tenant=access.tenant, query=query)

    @router.post(
        "",
        status_code=201,
        response_model=ApplicationCreated,
        response_model_exclude_none=True,
        responses={201: {"headers": {"Location": {"schema": {"type": "string"}}}}},
    )
    async def create_application(
        access: Create,
        body: ApplicationCreate,
        response: Response,
        template: Annotated[str | None, Query(max_length=64)] = None,
    ) -> ApplicationCreated:
        created = await service.create_application(
            state=state, tenant=access.tenant, body=body, template_id=template
        )
        response.headers["Location"] = f"{state.settings.base_url}{created.self}"
        return created

    # Asgardeo's docs write `POST /applications/`: serve it too instead of redirecting.
    router.add_api_route(
        "/",
        create_application,
        methods=["POST"],
        status_code=201,
        response_model=ApplicationCreated,
        response_model_exclude_none=True,
        include_in_schema=False,
    )

    @router.get(
        "/{applicationId}", response_model=ApplicationResponse, response_model_exclude_none=True
    )
    async def get_application(access: View, applicationId: str) -> ApplicationResponse:
        return await service.get_application(
            state=state, tenant=access.tenant, app_id=applicationId
        )

    @router.patch("/{applicationId}", status_code=200, response_class=Response)
    async def patch_application(
        access: Update, applicationId: str, body: ApplicationPatch
    ) -> Response:
        await service.patch_application(
            state=state, tenant=access.tenant, app_id=applicationId, body=body
        )
        return Response(status_code=200)

    @router.delete("/{applicationId}", status_code=204, response_class=Response)
    async def delete_application(access: Delete, applicationId: str) -> Response:
        await service.delete_application(state=state, tenant=access.tenant, app_id=applicationId)
        return Response(status_code=204)


def _inbound_routes(router: APIRouter, state: AppState) -> None:
    path = "/{applicationId}/inbound-protocols/oidc"

    @router.get(path, response_model=OidcConfig, response_model_exclude_none=True)
    async def get_inbound_oauth_configuration(access: View, applicationId: str) -> OidcConfig:
        return await inbound.get_oidc(state=state, tenant=access.tenant, app_id=applicationId)

    @router.put(path, response_model=OidcConfig, response_model_exclude_none=True)
    async def update_inbound_oauth_configuration(
        access: Update, applicationId: str, body: OidcConfig
    ) -> OidcConfig:
        return await inbound.put_oidc(
            state=state, tenant=access.tenant, app_id=applicationId, body=body
        )

    @router.delete(path, status_code=204, response_class=Response)
    async def delete_inbound_oauth_configuration(access: Delete, applicationId: str) -> Response:
        await inbound.delete_oidc(state=state, tenant=access.tenant, app_id=applicationId)
        return Response(status_code=204)

    @router.post(
        f"{path}/regenerate-secret", response_model=OidcConfig, response_model_exclude_none=True
    )
    async def regenerate_oauth_client_secret(
        access: SecretCreate, applicationId: str
    ) -> OidcConfig:
        return await inbound.regenerate_secret(
            state=state, tenant=access.tenant, app_id=applicationId
        )

    @router.post(f"{path}/revoke", status_code=200, response_class=Response)
    async def revoke_oauth_client(access: Create, applicationId: str) -> Response:
        await inbound.revoke(state=state, tenant=access.tenant, app_id=applicationId)
        return Response(status_code=200)


def _authorized_api_routes(router: APIRouter, state: AppState) -> None:
    path = "/{applicationId}/authorized-apis"

    @router.get(path, response_model=list[AuthorizedApi], response_model_exclude_none=True)
    async def get_authorized_apis(access: View, applicationId: str) -> list[AuthorizedApi]:
        return await authorization.list_authorized(
            state=state, tenant=access.tenant, app_id=applicationId
        )

    @router.post(path, status_code=201, response_class=Response)
    async def add_authorized_api(
        access: Update, applicationId: str, body: AuthorizedApiCreate
    ) -> Response:
        await authorization.authorize(
            state=state, tenant=access.tenant, app_id=applicationId, body=body
        )
        return Response(status_code=201)

    @router.patch(f"{path}/{{apiId}}", status_code=200, response_class=Response)
    async def patch_authorized_api(
        access: Update, applicationId: str, apiId: str, body: AuthorizedApiPatch
    ) -> Response:
        await authorization.patch_authorized(
            state=state, tenant=access.tenant, app_id=applicationId, api_id=apiId, body=body
        )
        return Response(status_code=200)

    @router.delete(f"{path}/{{apiId}}", status_code=204, response_class=Response)
    async def delete_authorized_api(access: Update, applicationId: str, apiId: str) -> Response:
        await authorization.unauthorize(
            state=state, tenant=access.tenant, app_id=applicationId, api_id=apiId
        )
        return Response(status_code=204)


def _sharing_routes(router: APIRouter, state: AppState) -> None:
    """Sharing with sub-organizations (catalog §2.1: `share`, `shared-apps`)."""

    @router.post("/{applicationId}/share", status_code=200, response_class=Response)
    async def share_application(
        access: ShareCreate, applicationId: str, body: ApplicationShareRequest
    ) -> Response:
        await sharing.share(state=state, tenant=access.tenant, app_id=applicationId, body=body)
        return Response(status_code=200)

    @router.get(
        "/{applicationId}/share",
        response_model=SharedOrganizations,
        response_model_exclude_none=True,
    )
    async def get_shared_organizations(
        access: ShareView, applicationId: str
    ) -> SharedOrganizations:
        return await sharing.shared_organizations(
            state=state, tenant=access.tenant, app_id=applicationId
        )

    @router.delete(
        "/{applicationId}/share/{sharedOrganizationId}", status_code=204, response_class=Response
    )
    async def unshare_application(
        access: ShareDelete, applicationId: str, sharedOrganizationId: str
    ) -> Response:
        await sharing.unshare(
            state=state, tenant=access.tenant, app_id=applicationId, org_id=sharedOrganizationId
        )
        return Response(status_code=204)

    @router.get("/{applicationId}/shared-apps", response_model=SharedApplications)
    async def get_shared_applications(access: ShareView, applicationId: str) -> SharedApplications:
        return await sharing.shared_applications(
            state=state, tenant=access.tenant, app_id=applicationId
        )

    @router.delete("/{applicationId}/shared-apps", status_code=204, response_class=Response)
    async def unshare_all(access: ShareDelete, applicationId: str) -> Response:
        await sharing.unshare(state=state, tenant=access.tenant, app_id=applicationId, org_id=None)
        return Response(status_code=204)
