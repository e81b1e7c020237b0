"""What a signed-in user may do to its own account: sessions, password, consents.

One service for the end-user APIs (`myaccount/router.py`) and the My Account pages
(`web/myaccount.py`). Callers own the unit of work; functions here flush, never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.errors import InvalidInput
from runegate.errors import NotFound
from runegate.identity import revocation
from runegate.identity.errors import WeakPassword
from runegate.identity.passwords import verify_password_async
from runegate.identity.users import set_own_password
from runegate.oauth.codes import aware
from runegate.storage.models.application import Application
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.token import IssuedToken
from runegate.storage.repositories.signin import ConsentRepository
from runegate.storage.repositories.signin import SsoSessionRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

BAD_CURRENT = ("PWD-10001", "Invalid current password")
POLICY = ("PWD-10003", "Password policy violation")


@dataclass(frozen=True, slots=True)
class SessionApp:
    application_id: str
    name: str
    client_id: str


@dataclass(frozen=True, slots=True)
class SessionView:
    sid: str
    applications: list[SessionApp]
    ip: str | None
    user_agent: str | None
    login_time: datetime
    last_access_time: datetime


@dataclass(frozen=True, slots=True)
class ConsentView:
    application_id: str
    name: str
    client_id: str
    scopes: list[str]
    updated_at: datetime


async def sessions_of(
    session: AsyncSession, tenant: TenantContext, user_id: str
) -> list[SessionView]:
    """The user's live SSO sessions with the applications signed in through each."""
    rows = await SsoSessionRepository(session, tenant=tenant).live_of_user(
        user_id, datetime.now(UTC)
    )
    client_ids = {c for row in rows for c in row.client_ids}
    apps: dict[str, Application] = {}
    if client_ids:
        stmt = select(Application).where(
            Application.org_id == tenant.org_id, Application.client_id.in_(client_ids)
        )
        apps = {a.client_id or "": a for a in (await session.execute(stmt)).scalars()}
    return [
        SessionView(
            sid=row.sid,
            applications=[
                SessionApp(apps[c].id, apps[c].name, c) for c in row.client_ids if c in apps
            ],
            ip=row.ip,
            user_agent=row.user_agent,
            login_time=aware(row.auth_time),
            last_access_time=aware(row.last_access_at or row.auth_time),
        )
        for row in rows
    ]


async def end_sessions(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    *,
    sid: str | None = None,
    keep_sid: str | None = None,
) -> int:
    """End one session (404 when it is not the user's) or all but `keep_sid`, through
    the one revocation service (back-channel logout of the session's applications)."""
    where = [SsoSession.user_id == user_id]
    if sid is not None:
        where.append(SsoSession.sid == sid)
    if keep_sid is not None:
        where.append(SsoSession.sid != keep_sid)
    ended = await revocation.end_sessions(session, tenant, *where)
    if sid is not None and not ended:
        raise NotFound("The session does not exist.")
    await audit.record(
        session, tenant=tenant, action="session.end", target_type="user", target_id=user_id
    )
    return ended


async def check_current_password(
    session: AsyncSession, tenant: TenantContext, user_id: str, current: str
) -> None:
    """400 PWD-10001 unless `current` is the user's password (argon2id off the loop)."""
    user = await UserRepository(session, tenant=tenant).get(user_id)
    if not current or not await verify_password_async(user.password_hash, current):
        code, message = BAD_CURRENT
        raise InvalidInput("The current password is incorrect.", code=code, message=message)


async def change_password(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    new: str,
    *,
    keep_grant: str | None,
    keep_sid: str | None,
) -> None:
    """Set the new password (organization policy), then end the user's other SSO
    sessions and revoke its tokens, except those of the caller's own grant/session."""
    try:
        await set_own_password(
            session, tenant, user_id, new, keep_grant=keep_grant, keep_sid=keep_sid
        )
    except WeakPassword as exc:
        code, message = POLICY
        raise InvalidInput(exc.description, code=code, message=message) from exc
    await audit.record(
        session, tenant=tenant, action="user.password.change", target_type="user", target_id=user_id
    )


async def consents_of(
    session: AsyncSession, tenant: TenantContext, user_id: str
) -> list[ConsentView]:
    rows = await ConsentRepository(session, tenant=tenant).of_user(user_id)
    return [
        ConsentView(app.id, app.name, app.client_id or "", c.scope.split(), aware(c.updated_at))
        for c, app in rows
    ]


async def revoke_consent(
    session: AsyncSession, tenant: TenantContext, user_id: str, application_id: str
) -> None:
    """Forget the consent and revoke the user's tokens of that application."""
    if not await ConsentRepository(session, tenant=tenant).forget(user_id, application_id):
        raise NotFound("The user has not consented to this application.")
    await revocation.revoke_tokens(
        session,
        IssuedToken.subject_type == "user",
        IssuedToken.subject == user_id,
        IssuedToken.application_id == application_id,
    )
    await audit.record(
        session,
        tenant=tenant,
        action="consent.revoke",
        target_type="application",
        target_id=application_id,
    )
