"""Sign-in state of one organization: SSO sessions, remembered consents, authorization
codes and app-native flows (rows keyed by keyed hashes, never by raw values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from runegate.storage.models.application import Application
from runegate.storage.models.base import utcnow
from runegate.storage.models.signin import AuthnFlow
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.signin import UserConsent
from runegate.storage.repositories.base import TenantRepository


class SsoSessionRepository(TenantRepository[SsoSession]):
    model = SsoSession

    async def find_live(self, session_hash: str, now: datetime) -> SsoSession | None:
        stmt = self.select().where(
            SsoSession.session_hash == session_hash, SsoSession.expires_at > now
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_client(self, session_hash: str, client_id: str) -> None:
        """Record that `client_id` signed in through the session (once), and the use."""
        row = await self.find_by(session_hash=session_hash)
        if row is None:
            return
        if client_id not in row.client_ids:
            row.client_ids = [*row.client_ids, client_id]
        row.last_access_at = utcnow()
        await self.flush()

    async def live_of_user(self, user_id: str, now: datetime) -> Sequence[SsoSession]:
        stmt = (
            self.select()
            .where(SsoSession.user_id == user_id, SsoSession.expires_at > now)
            .order_by(SsoSession.auth_time.desc(), SsoSession.sid)
        )
        return await self.list(stmt)

    async def remove(self, session_hash: str) -> int:
        stmt = delete(SsoSession).where(
            SsoSession.org_id == self.org_id, SsoSession.session_hash == session_hash
        )
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


class ConsentRepository(TenantRepository[UserConsent]):
    model = UserConsent

    async def scopes_of(self, user_id: str, application_id: str) -> frozenset[str] | None:
        """The remembered scopes, or None when the user never consented to the app."""
        row = await self.find_by(user_id=user_id, application_id=application_id)
        return None if row is None else frozenset(row.scope.split())

    async def remember(self, user_id: str, application_id: str, scopes: frozenset[str]) -> None:
        """Add `scopes` to what the user approved for the application."""
        row = await self.find_by(user_id=user_id, application_id=application_id)
        if row is None:
            row = UserConsent(user_id=user_id, application_id=application_id, scope="")
            await self.add(row)
        row.scope = " ".join(sorted(set(row.scope.split()) | scopes))
        await self.flush()

    async def of_user(self, user_id: str) -> Sequence[tuple[UserConsent, Application]]:
        """The user's consents with their applications, by application name."""
        stmt = (
            select(UserConsent, Application)
            .join(Application, Application.id == UserConsent.application_id)
            .where(
                UserConsent.org_id == self.org_id,
                Application.org_id == self.org_id,
                UserConsent.user_id == user_id,
            )
            .order_by(Application.name)
        )
        return [(c, a) for c, a in (await self.session.execute(stmt)).all()]

    async def forget(self, user_id: str, application_id: str) -> int:
        stmt = delete(UserConsent).where(
            UserConsent.org_id == self.org_id,
            UserConsent.user_id == user_id,
            UserConsent.application_id == application_id,
        )
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


class AuthorizationCodeRepository(TenantRepository[AuthorizationCode]):
    model = AuthorizationCode

    async def find_by_hash(self, code_hash: str) -> AuthorizationCode | None:
        return await self.find_by(code_hash=code_hash)

    async def consume(self, code_hash: str) -> bool:
        """Mark the code used; False when it was already used (one-time, RFC 6749 §4.1.2)."""
        stmt = (
            update(AuthorizationCode)
            .where(
                AuthorizationCode.org_id == self.org_id,
                AuthorizationCode.code_hash == code_hash,
                AuthorizationCode.used.is_(False),
            )
            .values(used=True)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


class AuthnFlowRepository(TenantRepository[AuthnFlow]):
    model = AuthnFlow

    async def find_live(self, flow_hash: str, now: datetime) -> AuthnFlow | None:
        """The unexpired, not yet completed flow with this hash."""
        stmt = self.select().where(
            AuthnFlow.flow_hash == flow_hash,
            AuthnFlow.expires_at > now,
            AuthnFlow.completed.is_(False),
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def await_second_factor(self, flow_hash: str, user_id: str) -> bool:
        """Record that the password step passed for `user_id` (the TOTP step is next)."""
        stmt = (
            update(AuthnFlow)
            .where(
                AuthnFlow.org_id == self.org_id,
                AuthnFlow.flow_hash == flow_hash,
                AuthnFlow.completed.is_(False),
                AuthnFlow.user_id.is_(None),
            )
            .values(user_id=user_id)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def complete(self, flow_hash: str) -> bool:
        """Mark the flow completed; False when it already was (single use)."""
        stmt = (
            update(AuthnFlow)
            .where(
                AuthnFlow.org_id == self.org_id,
                AuthnFlow.flow_hash == flow_hash,
                AuthnFlow.completed.is_(False),
            )
            .values(completed=True)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
