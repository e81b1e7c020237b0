"""`GET|PUT /t/{org}/api/server/v1/rate-limits` (scopes `internal_rate_limit_view`,
`internal_rate_limit_update`): Runegate's own API; Asgardeo has no public equivalent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.management.common.deps import org_parameter
from runegate.management.common.schemas import error_responses
from runegate.management.rate_limits.schemas import RateLimits
from runegate.management.rate_limits.schemas import RateLimitsUpdate
from runegate.management.rate_limits.service import get_rate_limits
from runegate.management.rate_limits.service import put_rate_limits
from runegate.state import AppState

View = Annotated[Access, Depends(require_scopes("internal_rate_limit_view"))]
Update = Annotated[Access, Depends(require_scopes("internal_rate_limit_update"))]


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/server/v1/rate-limits",
        tags=["Rate Limits"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 500),
    )

    @router.get("", response_model=RateLimits)
    async def get_limits(access: View) -> RateLimits:
        return await get_rate_limits(state=state, tenant=access.tenant)

    @router.put("", response_model=RateLimits)
    async def put_limits(access: Update, body: RateLimitsUpdate) -> RateLimits:
        """Replace the organization's overrides (`{"overrides": {}}` restores the defaults)."""
        return await put_rate_limits(state=state, tenant=access.tenant, values=body.overrides)

    return router
