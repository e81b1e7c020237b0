"""Sign-in state: authorization codes, SSO sessions, remembered consents and app-native
authentication flows.

Codes and session ids are stored only as keyed hashes (HMAC-SHA-256 under the server
secret); the raw values live in the client's hands (redirect, cookie).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean
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


class AuthorizationCode(Base):
    """A one-time authorization code (RFC 6749 §4.1.2), bound to client, redirect URI
    and PKCE challenge (RFC 7636 §4.4)."""

    __tablename__ = "authorization_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = org_column()
    # Shared by every token issued from the code (revoked together on a replay).
    grant_id: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[str] = mapped_column(String(36))
    client_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(String(36))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text, default="")
    nonce: Mapped[str | None] = mapped_column(Text, default=None)
    code_challenge: Mapped[str | None] = mapped_column(String(128), default=None)
    code_challenge_method: Mapped[str | None] = mapped_column(String(8), default=None)
    sid: Mapped[str | None] = mapped_column(String(64), default=None)
    auth_time: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    # A sign-in to a sub-organization (`fidp=OrganizationSSO`): the organization the
    # tokens act in; the code itself belongs to the root (redeemed at its token endpoint).
    acting_org_id: Mapped[str | None] = mapped_column(String(36), default=None)


class SsoSession(Base):
    """A user's sign-in at one organization; the cookie holds the raw session id."""

    __tablename__ = "sso_session"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = org_column()
    sid: Mapped[str] = mapped_column(String(64))  # public session id (ID token `sid`)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    auth_time: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # Client ids of the applications signed in through this session.
    client_ids: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Shown to the user in My Account (`/api/users/v1/me/sessions`).
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(512), default=None)
    last_access_at: Mapped[datetime | None] = mapped_column(default=None)


class UserConsent(Base):
    """The scopes a user approved for an application (remembered consent)."""

    __tablename__ = "user_consent"

    org_id: Mapped[str] = org_column()
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    application_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("application.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BackchannelLogout(Base):
    """A logout token to deliver to an application's back-channel logout URL (OIDC
    Back-Channel Logout 1.0), queued in the transaction that ended the session and sent
    in the background (`runegate.oidc.backchannel`). `status`: pending, sending, sent,
    failed. The token is signed when sent (it holds no secret until then)."""

    __tablename__ = "backchannel_logout"
    __table_args__ = (Index("ix_backchannel_logout_due", "status", "next_attempt_at"),)

    id: Mapped[str] = id_column()
    org_id: Mapped[str] = org_column()
    client_id: Mapped[str] = mapped_column(String(255))
    url: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(36))
    sid: Mapped[str | None] = mapped_column(String(64), default=None)
    alg: Mapped[str] = mapped_column(String(8))
    jti: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthnFlow(Base):
    """An app-native authentication flow (`response_mode=direct`): the validated
    authorization request waiting for the user's credentials at `/oauth2/authn`."""

    __tablename__ = "authn_flow"

    flow_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    org_id: Mapped[str] = org_column()
    client_id: Mapped[str] = mapped_column(String(255))
    # The authorization request's parameters (never a client secret).
    params: Mapped[dict[str, Any]] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column(index=True)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the password step passed and the user's second factor (TOTP) is asked.
    user_id: Mapped[str | None] = mapped_column(String(36), default=None)
