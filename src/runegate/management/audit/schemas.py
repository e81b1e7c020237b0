"""Wire models of the audit log API."""

from __future__ import annotations

from datetime import datetime

from runegate.management.common.schemas import Link
from runegate.management.common.schemas import WireModel


class AuditLogItem(WireModel):
    id: str
    time: datetime
    actor: str
    actorType: str
    action: str
    targetType: str
    targetId: str | None = None
    outcome: str
    reason: str | None = None
    clientIp: str | None = None
    traceId: str


class AuditLogList(WireModel):
    totalResults: int
    startIndex: int
    count: int
    auditLogs: list[AuditLogItem]
    links: list[Link]
