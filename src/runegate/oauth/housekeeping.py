"""Housekeeping: purge expired and revoked token rows, expired deny-list entries, used
assertion ids, expired authorization codes, SSO sessions and app-native flows, stale
failed sign-in counters, and audit events past their retention, so storage does not grow
without bound. Run in the background by every server process (cheap, indexed deletes)
and by `runegate tokens purge`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import or_

from runegate.periodic import Periodic
from runegate.storage.db import Database
from runegate.storage.models.signin import AuthnFlow
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.models.signin import BackchannelLogout
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.storage.models.token import UsedAssertion
from runegate.storage.repositories.audit import purge_before
from runegate.storage.repositories.lockout import purge_counters

log = logging.getLogger("runegate.oauth.housekeeping")
PURGE_INTERVAL = 600.0
CODE_KEPT = timedelta(hours=1)
COUNTER_KEPT = timedelta(days=1)
NOTICE_KEPT = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    tokens: int
    denied_jtis: int
    assertions: int
    signin: int = 0  # expired codes, SSO sessions and app-native flows, old logout notices
    audit_events: int = 0


async def purge(
    db: Database, *, grace: timedelta = timedelta(0), audit_retention: timedelta | None = None
) -> PurgeReport:
    """Delete rows that can no longer matter (expired, or revoked tokens), and audit
    events older than `audit_retention` (kept forever when None)."""
    now = datetime.now(UTC)
    cutoff = now - grace
    async with db.write() as session:
        tokens = await session.execute(
            delete(IssuedToken).where(
                or_(
                    IssuedToken.expires_at < cutoff,
                    # Rotated refresh tokens stay until expiry: their reuse must be detected.
                    and_(IssuedToken.revoked.is_(True), IssuedToken.kind != "refresh"),
                )
            )
        )
        jtis = await session.execute(delete(RevokedJti).where(RevokedJti.expires_at < cutoff))
        used = await session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < cutoff))
        # Used codes are kept a while past expiry so a late replay still revokes its tokens.
        codes = await session.execute(
            delete(AuthorizationCode).where(AuthorizationCode.expires_at < cutoff - CODE_KEPT)
        )
        sessions = await session.execute(delete(SsoSession).where(SsoSession.expires_at < cutoff))
        # Failed sign-in counters a day past their window and lock (identity/lockout.py).
        counters = await purge_counters(session, now - COUNTER_KEPT)
        # Delivered or abandoned back-channel logout notices, a day on.
        notices = await session.execute(
            delete(BackchannelLogout).where(
                BackchannelLogout.status.in_(("sent", "failed")),
                BackchannelLogout.created_at < now - NOTICE_KEPT,
            )
        )
        flows = await session.execute(delete(AuthnFlow).where(AuthnFlow.expires_at < cutoff))
        audited = await purge_before(session, now - audit_retention) if audit_retention else 0
    return PurgeReport(
        tokens=int(tokens.rowcount),  # type: ignore[attr-defined]
        denied_jtis=int(jtis.rowcount),  # type: ignore[attr-defined]
        assertions=int(used.rowcount),  # type: ignore[attr-defined]
        signin=int(codes.rowcount)  # type: ignore[attr-defined]
        + int(sessions.rowcount)  # type: ignore[attr-defined]
        + int(notices.rowcount)  # type: ignore[attr-defined]
        + int(flows.rowcount)  # type: ignore[attr-defined]
        + counters,
        audit_events=audited,
    )


class BackgroundPurge(Periodic):
    def __init__(
        self,
        db: Database,
        interval: float = PURGE_INTERVAL,
        *,
        audit_retention: timedelta | None = None,
    ) -> None:
        super().__init__(self._purge, interval, log, "token purge")
        self.db = db
        self.audit_retention = audit_retention

    async def _purge(self) -> None:
        report = await purge(self.db, audit_retention=self.audit_retention)
        log.info("purged %d token rows", report.tokens)
