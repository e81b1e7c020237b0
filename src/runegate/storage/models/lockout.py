"""Brute-force protection state: failed sign-in counters and account locks.

One row per (organization, kind, subject): `user` rows are keyed by user id, `name`
rows by the lower-cased user name typed for a user that does not exist (so unknown
names lock exactly as real ones do, and the answer tells nothing about existence),
`ip` rows by client IP address. Kept in the database so every worker and node sees the
same counts (identity/lockout.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import utcnow


class SignInCounter(Base):
    __tablename__ = "sign_in_counter"

    org_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # user | name | ip
    subject: Mapped[str] = mapped_column(String(255), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Start of the current counting window (failures older than the window are forgotten).
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    # Set while an automatic lock holds (after too many failures).
    locked_until: Mapped[datetime | None] = mapped_column(default=None, index=True)
    # Automatic locks in a row without a successful sign-in (the lock time grows by the
    # organization's ratio with each one).
    lock_count: Mapped[int] = mapped_column(Integer, default=0)
    # Locked by an administrator (SCIM accountLocked=true): holds until unlocked.
    admin_locked: Mapped[bool] = mapped_column(Boolean, default=False)
