"""Organizations: root organizations (tenants, addressed as /t/{name}) and their
sub-organizations (B2B)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import utcnow


class Organization(Base):
    __tablename__ = "organization"
    __table_args__ = (
        # Root organization names are globally unique (they are URL segments).
        Index(
            "uq_organization_root_name",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NULL"),
            postgresql_where=text("parent_id IS NULL"),
        ),
        # Sub-organization names are unique in their root organization's hierarchy (as
        # Asgardeo's check-name answers for the whole hierarchy).
        Index(
            "uq_organization_sub_name",
            "root_id",
            "name",
            unique=True,
            sqlite_where=text("parent_id IS NOT NULL"),
            postgresql_where=text("parent_id IS NOT NULL"),
        ),
        # Descendants are a prefix of the materialized path (`descendants_of` in
        # storage/repositories/organizations.py), served by this index as a range.
        Index("ix_organization_path", "path"),
    )

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(255))
    handle: Mapped[str | None] = mapped_column(String(63), default=None)
    description: Mapped[str | None] = mapped_column(Text, default=None)
    # Root organizations have no parent; root_id of a root is its own id.
    parent_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("organization.id", ondelete="CASCADE"), default=None, index=True
    )
    root_id: Mapped[str] = mapped_column(String(36), index=True)
    # Materialized path of ids from the root, "/{root}/.../{id}/": descendants are the rows
    # whose path starts with this one's (no recursive query, no cycle possible).
    # Compared byte by byte (the "C" collation on PostgreSQL, SQLite's BINARY): the index
    # serves the prefix as a range whatever the database's default collation.
    path: Mapped[str] = mapped_column(
        String(1024).with_variant(String(1024, collation="C"), "postgresql"), default=""
    )
    depth: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(16), default="TENANT")
    status: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    # Asgardeo's `[{key, value}]` list (filtered as `attributes.<key>` through JSON).
    attributes: Mapped[list[Any]] = mapped_column(default=list)
    # Rate-limit overrides of this root organization (`runegate.ratelimit.limiter.SETTINGS`
    # names -> requests per minute); absent names use the deployment's defaults.
    rate_limits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The user (of the root or an ancestor) who created it: an administrator in it.
    created_by: Mapped[str | None] = mapped_column(String(36), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def is_root(self) -> bool:
        return self.parent_id is None
