"""GET /audit-logs: newest first, offset pagination, management filters and a time range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import and_

from runegate.management.audit import errors as audit_errors
from runegate.management.audit.schemas import AuditLogItem
from runegate.management.audit.schemas import AuditLogList
from runegate.management.common.filters import filter_condition
from runegate.management.common.pagination import offset_links
from runegate.state import AppState
from runegate.storage.models.audit import AuditEvent
from runegate.storage.repositories.audit import AuditRepository
from runegate.tenancy.context import TenantContext

FILTER_COLUMNS = {
    "action": AuditEvent.action,
    "actor": AuditEvent.actor,
    "actorType": AuditEvent.actor_type,
    "targetType": AuditEvent.target_type,
    "targetId": AuditEvent.target_id,
    "outcome": AuditEvent.outcome,
    "clientIp": AuditEvent.client_ip,
    "traceId": AuditEvent.trace_id,
}


@dataclass(frozen=True, slots=True)
class AuditQuery:
    limit: int = 30
    offset: int = 0
    filter: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def utc(value: datetime) -> datetime:
    """Naive values are UTC (SQLite returns them naive; clients may send them naive)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def condition(query: AuditQuery) -> ColumnElement[bool] | None:
    terms = []
    text = filter_condition(query.filter, FILTER_COLUMNS, audit_errors.INVALID_FILTER)
    if text is not None:
        terms.append(text)
    since = utc(query.since) if query.since else None
    until = utc(query.until) if query.until else None
    if since and until and since > until:
        raise audit_errors.INVALID_RANGE.error(reason="since is after until")
    if since:
        terms.append(AuditEvent.created_at >= since)
    if until:
        terms.append(AuditEvent.created_at < until)
    return and_(*terms) if terms else None


def to_item(event: AuditEvent) -> AuditLogItem:
    return AuditLogItem(
        id=event.id,
        time=utc(event.created_at),
        actor=event.actor,
        actorType=event.actor_type,
        action=event.action,
        targetType=event.target_type,
        targetId=event.target_id,
        outcome=event.outcome,
        reason=event.reason,
        clientIp=event.client_ip,
        traceId=event.trace_id,
    )


def audit_path(tenant: TenantContext) -> str:
    return f"{tenant.tenant_url}/api/server/v1/audit-logs"


async def list_audit_logs(
    *, state: AppState, tenant: TenantContext, query: AuditQuery
) -> AuditLogList:
    where = condition(query)
    async with state.db.read() as session:
        repo = AuditRepository(session, tenant=tenant)
        total, rows = await repo.newest_first(where, offset=query.offset, limit=query.limit)
    params = {
        "filter": query.filter or "",
        "since": query.since.isoformat() if query.since else "",
        "until": query.until.isoformat() if query.until else "",
    }
    links = offset_links(
        audit_path(tenant), offset=query.offset, limit=query.limit, total=total, query=params
    )
    items = [to_item(e) for e in rows]
    return AuditLogList(
        totalResults=total,
        startIndex=query.offset + 1,
        count=len(items),
        auditLogs=items,
        links=links,
    )
