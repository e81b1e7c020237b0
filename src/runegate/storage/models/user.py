"""Users, groups and group memberships, each owned by one organization."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("org_id", "user_name"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    user_name: Mapped[str] = mapped_column(String(255))
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    given_name: Mapped[str | None] = mapped_column(String(255), default=None)
    family_name: Mapped[str | None] = mapped_column(String(255), default=None)
    display_name: Mapped[str | None] = mapped_column(String(255), default=None)
    emails: Mapped[list[Any]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Everything else SCIM carries (phone numbers, extensions, ...), as given.
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Group(Base):
    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("org_id", "display_name"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    display_name: Mapped[str] = mapped_column(String(255))
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class GroupMember(Base):
    __tablename__ = "group_member"

    org_id: Mapped[str] = org_column()
    group_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_group.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("user_account.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
