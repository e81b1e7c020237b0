"""Cross-process coordination: a change counter that every worker polls cheaply to
invalidate its in-process caches."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base


class ChangeVersion(Base):
    __tablename__ = "change_version"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class DeploymentCheck(Base):
    """Check values shared by every node of a deployment (e.g. the secret-key check)."""

    __tablename__ = "deployment_check"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
