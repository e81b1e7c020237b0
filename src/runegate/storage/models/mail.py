"""The mail outbox and the single-use links sent by mail (invitation, recovery, email
verification).

An outbox row is written in the same transaction as the action that promises the mail,
so a committed action always has its mail; each server process sends pending rows in
the background (`runegate.mail.outbox`). Link tokens are stored only as keyed hashes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


class MailOutbox(Base):
    """One mail to send. `status`: pending, sending (claimed by a worker), sent, failed,
    cancelled (an account mail whose user is gone or no longer needs it)."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    # An account mail (invite, recovery, verify) is composed when it is sent, with a
    # fresh link token: no usable link is ever stored. None: a literal mail.
    kind: Mapped[str | None] = mapped_column(String(16), default=None)
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    # Emptied once sent: the bodies may carry a link token.
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # Incremented by each claim; a claim only succeeds against the count it read.
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class AccountToken(Base):
    """A single-use link token: `purpose` is invite, recovery or verify-email."""

    __tablename__ = "account_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = org_column()
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(16))
    # verify-email: the address being verified.
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
