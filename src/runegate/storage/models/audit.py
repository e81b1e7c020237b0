"""The audit trail: one row per management change or sign-in attempt (never a secret)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import utcnow


class AuditEvent(Base):
    """Who (`actor`) did what (`action`) to which object (`target_*`), when and from where."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_org_id_created_at", "org_id", "created_at"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(255))
    actor_type: Mapped[str] = mapped_column(String(16))  # user | application | system
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(255), default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="success")  # success | failure
    reason: Mapped[str | None] = mapped_column(String(128), default=None)
    client_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    trace_id: Mapped[str] = mapped_column(String(128), default="-")
