"""Audit events, within one organization; the purge runs across organizations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.audit import AuditEvent
from runegate.storage.repositories.base import TenantRepository


class AuditRepository(TenantRepository[AuditEvent]):
    model = AuditEvent
    not_found = "The audit event does not exist."

    async def append(self, event: AuditEvent) -> None:
        """Add without flushing: the event is written with the transaction's commit."""
        event.org_id = self.org_id
        self.session.add(event)

    async def newest_first(
        self, where: ColumnElement[bool] | None, *, offset: int, limit: int
    ) -> tuple[int, Sequence[AuditEvent]]:
        """A page of events, newest first, and the total count of matches."""
        order = [AuditEvent.created_at.desc(), AuditEvent.id.desc()]
        return await self.page(where, order, offset, limit)


async def purge_before(session: AsyncSession, cutoff: datetime) -> int:
    """Delete every organization's events older than `cutoff` (retention, housekeeping)."""
    result = await session.execute(delete(AuditEvent).where(AuditEvent.created_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
