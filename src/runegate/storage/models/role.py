"""Roles (Asgardeo Roles v2): an audience, the API scopes they grant, users and groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


class Role(Base):
    __tablename__ = "role"
    # Display names are unique within an audience (409 otherwise), case-insensitively.
    __table_args__ = (
        UniqueConstraint("org_id", "audience_type", "audience_value", "display_name_ci"),
    )

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    display_name: Mapped[str] = mapped_column(String(255))
    display_name_ci: Mapped[str] = mapped_column(String(255))
    audience_type: Mapped[str] = mapped_column(String(16))  # organization | application
    audience_value: Mapped[str] = mapped_column(String(36), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoleScope(Base):
    """A permission of a role: one API scope (removed with the scope)."""

    __tablename__ = "role_scope"

    org_id: Mapped[str] = org_column()
    role_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
    scope_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_scope.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RoleUser(Base):
    __tablename__ = "role_user"

    org_id: Mapped[str] = org_column()
    role_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("user_account.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )


class RoleGroup(Base):
    __tablename__ = "role_group"

    org_id: Mapped[str] = org_column()
    role_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("role.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("user_group.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
