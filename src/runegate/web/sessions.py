"""The server-side SSO session of one organization.

The browser holds a random session id in an HttpOnly, SameSite=Lax cookie scoped to
`/t/{org}/` (Secure when the public URL is https); the database holds only its keyed
hash, with the user, the authentication time, the expiry and the client ids signed in.
A new id is made at every login (no session fixation).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import keyed_hashes
from runegate.crypto.hashing import random_secret
from runegate.identity.revocation import end_sessions
from runegate.identity.users import PENDING_INVITATION
from runegate.oauth.codes import aware
from runegate.storage.db import Database
from runegate.storage.models.signin import SsoSession
from runegate.storage.repositories.signin import SsoSessionRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

SESSION_COOKIE = "runegate_session"
SESSION_LIFETIME = timedelta(hours=8)
_MAX_COOKIE = 64


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_hash: str
    sid: str
    user_id: str
    user_name: str
    auth_time: datetime


def session_cookie(tenant: TenantContext) -> str:
    """The SSO cookie's name: one per organization, so that a root session and a
    sub-organization's session (`fidp=OrganizationSSO`) never stand in for each other."""
    if not tenant.switched:
        return SESSION_COOKIE
    return session_cookie_name(tenant.org_id)


MAX_ORG_COOKIES = 16  # sub-organization session cookies one request may end


def org_session_cookies(cookies: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """The sub-organization session cookies a browser sent: (name, organization id,
    value), at most `MAX_ORG_COOKIES` (names that are no organization id are skipped)."""
    prefix = f"{SESSION_COOKIE}_"
    found = []
    for name, value in cookies.items():
        if not name.startswith(prefix):
            continue
        try:
            org_id = str(uuid.UUID(hex=name[len(prefix) :]))
        except ValueError:
            continue
        if session_cookie_name(org_id) == name:
            found.append((name, org_id, value))
    return found[:MAX_ORG_COOKIES]


def session_cookie_name(org_id: str) -> str:
    return f"{SESSION_COOKIE}_{org_id.replace('-', '')}"


def cookie_options(tenant: TenantContext) -> dict[str, Any]:
    return {
        "path": f"/t/{tenant.root_name}/",
        "httponly": True,
        "samesite": "lax",
        "secure": tenant.base_url.startswith("https://"),
    }


class SessionStore:
    def __init__(self, db: Database, keys: tuple[bytes, ...]) -> None:
        self.db = db
        self.keys = keys

    async def find(self, tenant: TenantContext, raw: str | None) -> SignedIn | None:
        """The live session of the cookie value, if its user is still active."""
        if not raw or len(raw) > _MAX_COOKIE:
            return None
        now = datetime.now(UTC)
        async with self.db.read() as session:
            repo = SsoSessionRepository(session, tenant=tenant)
            row = None
            for session_hash in keyed_hashes(self.keys, raw):
                row = row or await repo.find_live(session_hash, now)
            if row is None:
                return None
            user = await UserRepository(session, tenant=tenant).find(row.user_id)
        if user is None or not user.active or user.attributes.get(PENDING_INVITATION):
            return None
        return SignedIn(row.session_hash, row.sid, user.id, user.user_name, aware(row.auth_time))

    async def create(
        self,
        tenant: TenantContext,
        user_id: str,
        user_name: str,
        *,
        replacing: str | None,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[str, SignedIn]:
        """A new session (the cookie value and its facts); ends the one it replaces."""
        raw = random_secret(32)
        now = datetime.now(UTC).replace(microsecond=0)
        row = SsoSession(
            session_hash=keyed_hash(self.keys[0], raw),
            sid=secrets.token_hex(16),
            user_id=user_id,
            auth_time=now,
            expires_at=now + SESSION_LIFETIME,
            client_ids=[],
            ip=(ip or None) and ip[:64],
            user_agent=(user_agent or None) and user_agent[:512],
            last_access_at=now,
        )
        async with self.db.write() as session:
            repo = SsoSessionRepository(session, tenant=tenant)
            if replacing and len(replacing) <= _MAX_COOKIE:
                for old in keyed_hashes(self.keys, replacing):
                    await repo.remove(old)
            await repo.add(row)
        return raw, SignedIn(row.session_hash, row.sid, user_id, user_name, now)

    async def end(self, tenant: TenantContext, raw: str | None) -> int:
        """End the cookie's session (queuing its back-channel logout); returns 0 or 1."""
        if not raw or len(raw) > _MAX_COOKIE:
            return 0
        hashes = keyed_hashes(self.keys, raw)
        async with self.db.write() as session:
            return await end_sessions(session, tenant, SsoSession.session_hash.in_(hashes))
