"""Second sign-in factors: a TOTP secret (encrypted at rest) and single-use backup codes
(stored only as keyed hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


class UserTotp(Base):
    """A user's TOTP authenticator; `enrolled` once a first code was validated."""

    __tablename__ = "user_totp"

    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    org_id: Mapped[str] = org_column()
    secret_encrypted: Mapped[str] = mapped_column(Text)
    enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last accepted time step: that step and earlier ones are refused (no replay).
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UserBackupCode(Base):
    """One unused backup code of a user (deleted when used)."""

    __tablename__ = "user_backup_code"

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
