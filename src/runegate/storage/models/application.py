"""Applications (OAuth clients) and their authorizations to consume API resources."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import id_column
from runegate.storage.models.base import org_column
from runegate.storage.models.base import utcnow


class Application(Base):
    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("org_id", "name"),
        UniqueConstraint("org_id", "client_id"),
    )

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, default=None)
    template_id: Mapped[str | None] = mapped_column(String(64), default=None)
    client_id: Mapped[str] = mapped_column(String(255))
    # HMAC-SHA-256 of the client secret under the server secret; never the secret.
    client_secret_hash: Mapped[str | None] = mapped_column(String(128), default=None)
    # ACTIVE or REVOKED (POST .../oidc/revoke); regenerate-secret re-activates.
    state: Mapped[str] = mapped_column(String(16), default="ACTIVE")
    # Bumped by regenerate-secret: tokens issued under an older generation are invalid.
    secret_generation: Mapped[int] = mapped_column(default=1)
    public_client: Mapped[bool] = mapped_column(Boolean, default=False)
    # The OpenIDConnectConfiguration (without client id and secret) as Asgardeo shapes it.
    oidc: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Other ApplicationModel fields (imageUrl, accessUrl, advancedConfigurations, ...).
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    is_system: Mapped[bool] = mapped_column(Boolean, default=False)
    # B2B: shared with every descendant organization, including ones created later.
    shared_with_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuthorizedApi(Base):
    """An application's authorization to consume an API resource."""

    __tablename__ = "authorized_api"

    org_id: Mapped[str] = org_column()
    application_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    api_resource_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("api_resource.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
    policy_id: Mapped[str] = mapped_column(String(32), default="RBAC")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthorizedScope(Base):
    """One scope of an authorized API resource that the application may get."""

    __tablename__ = "authorized_scope"

    org_id: Mapped[str] = org_column()
    application_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    scope_id: Mapped[str] = mapped_column(
        String(36),
        ForeignKey("api_scope.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    )
    api_resource_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("api_resource.id", ondelete="CASCADE"), index=True
    )


class ApplicationShare(Base):
    """An application of `org_id` shared with the sub-organization `shared_org_id`."""

    __tablename__ = "application_share"

    org_id: Mapped[str] = org_column()
    application_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    shared_org_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("organization.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
