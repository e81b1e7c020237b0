"""Users, groups and group memberships, each owned by one organization."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


def _folded(column: str) -> Any:
    """A column default: the case-folded value of `column` (for case-insensitive lookups)."""

    def default(context: DefaultExecutionContext) -> str | None:
        value = context.get_current_parameters().get(column)  # type: ignore[no-untyped-call]
        return value.lower() if isinstance(value, str) else value

    return default


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        # RFC 7643 §4.1.1: userName is unique and not case-exact.
        UniqueConstraint("org_id", "user_name_ci"),
        # `userName sw "..."` on PostgreSQL: LIKE 'prefix%' needs pattern ops.
        Index(
            "ix_user_account_name_prefix",
            "org_id",
            "user_name_ci",
            postgresql_ops={"user_name_ci": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    user_name: Mapped[str] = mapped_column(String(255))
    # lower(user_name), kept by the identity service (default for plain inserts).
    user_name_ci: Mapped[str] = mapped_column(String(255), default=_folded("user_name"))
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
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


class UserEmail(Base):
    """One value of a user's `emails` (RFC 7643 §4.1.2), indexed for `emails.value` filters."""

    __tablename__ = "user_email"
    __table_args__ = (Index("ix_user_email_value", "org_id", "value_ci"),)

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(String(36))
    value: Mapped[str] = mapped_column(String(320))
    value_ci: Mapped[str] = mapped_column(String(320))
    type: Mapped[str | None] = mapped_column(String(64), default=None)
    primary: Mapped[bool] = mapped_column(Boolean, default=False)


class Group(Base):
    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("org_id", "display_name_ci"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    display_name: Mapped[str] = mapped_column(String(255))
    display_name_ci: Mapped[str] = mapped_column(String(255), default=_folded("display_name"))
    external_id: Mapped[str | None] = mapped_column(String(255), default=None)
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
    # The member's `display` as the client wrote it (RFC 7643 §4.2), if any.
    display: Mapped[str | None] = mapped_column(String(255), default=None)
