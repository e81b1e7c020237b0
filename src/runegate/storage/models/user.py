"""Users, groups and group memberships, each owned by one organization."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


def folded_text(length: int) -> Any:
    """A lower-cased copy of a value, compared byte by byte: the "C" collation on
    PostgreSQL (SQLite's BINARY is the same order). Its btree indexes then serve
    `sw` (LIKE 'prefix%') and ORDER BY alike, and the order is the same on both backends."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


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
        # The default list order (userName, id), `userName sw` and `eq`: an index-only
        # scan picks a page's ids (docs/benchmarks.md, SCIM at a million users).
        Index("ix_user_account_name_order", "org_id", "user_name_ci", "id"),
        # sortBy=meta.created; name.familyName and name.givenName below.
        Index("ix_user_account_created_order", "org_id", "created_at", "id"),
    )

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    user_name: Mapped[str] = mapped_column(String(255))
    # lower(user_name), kept by the identity service (default for plain inserts).
    user_name_ci: Mapped[str] = mapped_column(folded_text(255), default=_folded("user_name"))
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


# sortBy=name.familyName / name.givenName compare lower(); the column itself is included
# so PostgreSQL can pick a page's ids with an index-only scan.
for _name in ("family_name", "given_name"):
    Index(
        f"ix_user_account_{_name.split('_')[0]}_order",
        User.org_id,
        func.lower(getattr(User, _name)),
        User.id,
        postgresql_include=[_name],
    )


class UserEmail(Base):
    """One value of a user's `emails` (RFC 7643 §4.1.2), indexed for `emails.value` filters."""

    __tablename__ = "user_email"
    # `emails.value eq`: user ids straight from the index (an index-only semi-join).
    __table_args__ = (Index("ix_user_email_value", "org_id", "value_ci", "user_id"),)

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[str] = mapped_column(String(36))
    value: Mapped[str] = mapped_column(String(320))
    value_ci: Mapped[str] = mapped_column(folded_text(320))
    type: Mapped[str | None] = mapped_column(String(64), default=None)
    primary: Mapped[bool] = mapped_column(Boolean, default=False)


class ResourceCount(Base):
    """How many users an organization has, kept by database triggers on `user_account`
    (created in the migration): an unfiltered list answers `totalResults` without
    counting a million rows."""

    __tablename__ = "resource_count"

    org_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    total: Mapped[int] = mapped_column(default=0)


class Group(Base):
    __tablename__ = "user_group"
    __table_args__ = (UniqueConstraint("org_id", "display_name_ci"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    display_name: Mapped[str] = mapped_column(String(255))
    display_name_ci: Mapped[str] = mapped_column(folded_text(255), default=_folded("display_name"))
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
