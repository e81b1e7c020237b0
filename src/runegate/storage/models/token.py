"""Issued tokens (stored only as keyed hashes), the JWT deny-list, and used client
assertion ids (private_key_jwt replay protection)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from runegate.storage.models.base import Base
from runegate.storage.models.base import org_column


class IssuedToken(Base):
    """An access or refresh token. `token_hash` is HMAC-SHA-256 of the token."""

    __tablename__ = "issued_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = org_column()
    kind: Mapped[str] = mapped_column(String(16))  # access | refresh
    format: Mapped[str] = mapped_column(String(8), default="opaque")  # opaque | jwt
    jti: Mapped[str] = mapped_column(String(64), index=True)
    grant_id: Mapped[str] = mapped_column(String(64), index=True)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str] = mapped_column(String(255))
    secret_generation: Mapped[int] = mapped_column(default=1)
    subject: Mapped[str] = mapped_column(String(255))
    subject_type: Mapped[str] = mapped_column(String(16), default="application")
    # Space-separated granted scopes and audience values.
    scope: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    # For organization-switched tokens: the organization acted in.
    acting_org_id: Mapped[str | None] = mapped_column(String(36), default=None)
    issued_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Refresh tokens: when the user authenticated and the SSO session id (`sid`), so a
    # refresh can issue an ID token with the original `auth_time` (OIDC Core §12.2).
    auth_time: Mapped[datetime | None] = mapped_column(default=None)
    # Access tokens too: the session's tokens are revoked with it when the application
    # sets `accessToken.revokeTokensWhenIDPSessionTerminated`.
    sid: Mapped[str | None] = mapped_column(String(64), default=None)

    __table_args__ = (
        # Partial: client_credentials tokens (no session) add no entry (the migration).
        Index(
            "ix_issued_token_sid",
            "sid",
            sqlite_where=text("sid IS NOT NULL"),
            postgresql_where=text("sid IS NOT NULL"),
        ),
    )


class RevokedJti(Base):
    """Deny-list of revoked JWT access tokens, kept until the token would expire."""

    __tablename__ = "revoked_jti"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = org_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)


class UsedAssertion(Base):
    """`jti` values of private_key_jwt client assertions (RFC 7523 §3 replay check)."""

    __tablename__ = "used_assertion"

    org_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)
