"""Revocation that follows the user and the application: the one service that ends SSO
sessions and revokes tokens.

`end_user_access` is what disabling or deleting a user, a password change (SCIM, /Me,
account recovery) and a user's own sign-out of everything call; `end_application_access`
what deleting an application or regenerating (or revoking) its secret call. Both run in
the caller's transaction, so the revocation commits with the change that caused it.

Tokens: the rows are marked revoked (opaque and JWT alike; refresh tokens included) and
live JWT access tokens go on the `revoked_jti` deny-list. Every verification reads the
database (`oauth/verifier.py`), so a revocation holds on every worker and node as soon
as it commits. Sessions: the `sso_session` rows are deleted and a back-channel logout
notice is queued for each application of the session that registered a
`logout.backChannelLogoutUrl` (OIDC Back-Channel Logout 1.0 §2.5), sent after the commit
by `runegate.oidc.backchannel`; the tokens issued through the session (rows carrying its
`sid`) to applications with `accessToken.revokeTokensWhenIDPSessionTerminated` are
revoked with it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.application import Application
from runegate.storage.models.signin import BackchannelLogout
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.tenancy.context import TenantContext

# Called after a transaction that queued back-channel notices commits (the sender of
# each server process registers its wake-up here).
notice_listeners: list[Any] = []


@dataclass(frozen=True, slots=True)
class EndedAccess:
    sessions: int  # SSO sessions ended
    tokens: int  # access and refresh tokens revoked


async def end_user_access(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    *,
    keep_grant: str | None = None,
    keep_sid: str | None = None,
) -> EndedAccess:
    """End every SSO session of the user and revoke every token issued to the user.

    keep_grant: a grant id (`issued_token.grant_id`) whose tokens stay valid, with the SSO
    session they were signed in through: a user changing their own password keeps the
    session making the change (`grant_of_token` finds it from the caller's token).
    keep_sid: an SSO session to keep when the caller is a session, not a token (My
    Account's pages).
    """
    if keep_grant and keep_sid is None:
        keep_sid = await _sid_of_grant(session, keep_grant)
    where: list[ColumnElement[bool]] = [SsoSession.user_id == user_id]
    if keep_sid is not None:
        where.append(SsoSession.sid != keep_sid)
    sessions = await end_sessions(session, tenant, *where)
    live = [IssuedToken.subject_type == "user", IssuedToken.subject == user_id]
    if keep_grant is not None:
        live.append(IssuedToken.grant_id != keep_grant)
    tokens = await revoke_tokens(session, *live)
    return EndedAccess(sessions=sessions, tokens=tokens)


async def end_application_access(
    session: AsyncSession, tenant: TenantContext, application_id: str
) -> EndedAccess:
    """Revoke every token of the application; the users' SSO sessions stay (they belong to
    the users and their other applications), but a deleted application is no longer
    told about their end."""
    tokens = await revoke_tokens(session, IssuedToken.application_id == application_id)
    return EndedAccess(sessions=0, tokens=tokens)


async def revoke_user_tokens(session: AsyncSession, tenant: TenantContext, user_id: str) -> int:
    """Revoke every unexpired token issued to the user (no session is touched)."""
    return await revoke_tokens(
        session, IssuedToken.subject_type == "user", IssuedToken.subject == user_id
    )


async def grant_of_token(session: AsyncSession, tenant: TenantContext, jti: str) -> str | None:
    """The grant id of the access token with this `jti` (the caller's own token)."""
    stmt = select(IssuedToken.grant_id).where(
        IssuedToken.jti == jti, IssuedToken.org_id == tenant.root_id
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def _sid_of_grant(session: AsyncSession, grant_id: str) -> str | None:
    stmt = select(IssuedToken.sid).where(
        IssuedToken.grant_id == grant_id, IssuedToken.sid.is_not(None)
    )
    return (await session.execute(stmt.limit(1))).scalar_one_or_none()


async def revoke_tokens(session: AsyncSession, *conditions: ColumnElement[bool]) -> int:
    """Mark the unexpired, unrevoked tokens matching `conditions` revoked and deny-list
    their JWT access tokens; returns how many.

    User tokens may act in a switched sub-organization, so rows are matched by subject
    or application, not by the organization of the request.
    """
    now = datetime.now(UTC)
    live = (*conditions, IssuedToken.revoked.is_(False), IssuedToken.expires_at > now)
    jwts = (
        await session.execute(
            select(IssuedToken.jti, IssuedToken.org_id, IssuedToken.expires_at).where(
                IssuedToken.format == "jwt", *live
            )
        )
    ).all()
    listed = set(
        (
            await session.execute(
                select(RevokedJti.jti).where(RevokedJti.jti.in_([row.jti for row in jwts]))
            )
        )
        .scalars()
        .all()
    )
    for row in jwts:
        if row.jti not in listed:
            listed.add(row.jti)
            session.add(RevokedJti(jti=row.jti, org_id=row.org_id, expires_at=row.expires_at))
    result = await session.execute(
        update(IssuedToken)
        .where(*live)
        .values(revoked=True)
        .execution_options(synchronize_session=False)
    )
    await session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]


async def end_sessions(
    session: AsyncSession, tenant: TenantContext, *conditions: ColumnElement[bool]
) -> int:
    """Delete the organization's SSO sessions matching `conditions` and queue the
    back-channel logout of their applications; returns how many ended."""
    scope = (SsoSession.org_id.in_({tenant.root_id, tenant.org_id}), *conditions)
    rows = (
        await session.execute(
            select(SsoSession.sid, SsoSession.user_id, SsoSession.client_ids).where(*scope)
        )
    ).all()
    if not rows:
        return 0
    for sid, user_id, client_ids in rows:
        await queue_backchannel_logout(session, tenant, user_id, sid, client_ids)
    await revoke_session_tokens(session, tenant, [(sid, ids) for sid, _u, ids in rows])
    await session.execute(delete(SsoSession).where(*scope))
    return len(rows)


async def revoke_session_tokens(
    session: AsyncSession, tenant: TenantContext, ended: list[tuple[str | None, list[str]]]
) -> int:
    """Revoke the tokens issued through the ended sessions (`(sid, client ids)`) to the
    applications that set `accessToken.revokeTokensWhenIDPSessionTerminated`."""
    sids = [sid for sid, _ids in ended if sid]
    wanted = sorted({client_id for _sid, ids in ended for client_id in ids})
    if not sids or not wanted:
        return 0
    apps = await session.execute(
        select(Application.client_id, Application.oidc).where(
            Application.org_id == tenant.root_id, Application.client_id.in_(wanted)
        )
    )
    flagged = [
        client_id
        for client_id, oidc in apps.all()
        if ((oidc or {}).get("accessToken") or {}).get("revokeTokensWhenIDPSessionTerminated")
    ]
    if not flagged:
        return 0
    return await revoke_tokens(
        session,
        IssuedToken.org_id == tenant.root_id,
        IssuedToken.sid.in_(sids),
        IssuedToken.client_id.in_(flagged),
    )


async def queue_backchannel_logout(
    session: AsyncSession,
    tenant: TenantContext,
    user_id: str,
    sid: str | None,
    client_ids: Iterable[str],
) -> int:
    """Queue one logout token per application of the ended session that registered a
    back-channel logout URL (OIDC Back-Channel Logout 1.0 §2.2); returns how many."""
    wanted = sorted(set(client_ids))
    if not wanted:
        return 0
    apps = (
        await session.execute(
            select(Application.client_id, Application.oidc, Application.state).where(
                Application.org_id == tenant.root_id, Application.client_id.in_(wanted)
            )
        )
    ).all()
    queued = 0
    for client_id, oidc, state in apps:
        url = ((oidc or {}).get("logout") or {}).get("backChannelLogoutUrl")
        if not url or state != "ACTIVE":
            continue
        alg = ((oidc or {}).get("idToken") or {}).get("idTokenSignedResponseAlg") or "RS256"
        session.add(
            BackchannelLogout(
                org_id=tenant.root_id,
                client_id=client_id,
                url=str(url),
                issuer=tenant.issuer,
                subject=user_id,
                sid=sid,
                alg=str(alg),
                jti=secrets.token_hex(16),
                status="pending",
                attempts=0,
                next_attempt_at=datetime.now(UTC),
            )
        )
        queued += 1
    if queued:
        event.listen(session.sync_session, "after_commit", _wake_senders, once=True)
    return queued


def _wake_senders(_session: object) -> None:
    for listener in list(notice_listeners):
        listener()
