"""`GET /t/{org}/api/server/v1/audit-logs` (scope `internal_audit_log_view`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import Query

from runegate.http.auth import Access
from runegate.http.auth import require_scopes
from runegate.management.audit.listing import AuditQuery
from runegate.management.audit.listing import list_audit_logs
from runegate.management.audit.schemas import AuditLogList
from runegate.management.common.deps import org_parameter
from runegate.management.common.pagination import MAX_LIMIT
from runegate.management.common.schemas import error_responses
from runegate.state import AppState

View = Annotated[Access, Depends(require_scopes("internal_audit_log_view"))]


def build_router(state: AppState) -> APIRouter:
    router = APIRouter(
        prefix="/t/{org}/api/server/v1/audit-logs",
        tags=["Audit Logs"],
        dependencies=[Depends(org_parameter)],
        responses=error_responses(400, 401, 403, 500),
    )

    @router.get("", response_model=AuditLogList, response_model_exclude_none=True)
    async def get_audit_logs(
        access: View,
        limit: Annotated[int, Query(ge=0, le=MAX_LIMIT)] = 30,
        offset: Annotated[int, Query(ge=0)] = 0,
        filter: Annotated[str | None, Query(max_length=1000)] = None,
        since: Annotated[
            datetime | None, Query(description="Events at or after (ISO 8601).")
        ] = None,
        until: Annotated[datetime | None, Query(description="Events before (ISO 8601).")] = None,
    ) -> AuditLogList:
        query = AuditQuery(limit, offset, filter, since, until)
        return await list_audit_logs(state=state, tenant=access.tenant, query=query)

    return router
