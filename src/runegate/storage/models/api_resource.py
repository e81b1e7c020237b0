"""API resources (the unit of authorization) and their scopes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


class ApiResource(Base):
    __tablename__ = "api_resource"
    __table_args__ = (UniqueConstraint("org_id", "identifier"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    name: Mapped[str] = mapped_column(String(255))
    identifier: Mapped[str] = mapped_column(String(512))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # SYSTEM (from bootstrap, read-only), BUSINESS (user-defined), ...
    type: Mapped[str] = mapped_column(String(32), default="BUSINESS")
    requires_authorization: Mapped[bool] = mapped_column(Boolean, default=True)
    properties: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApiScope(Base):
    """A scope; names are unique within an organization (Asgardeo: org-global)."""

    __tablename__ = "api_scope"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    api_resource_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_resource.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
