"""Housekeeping: purge expired and revoked token rows, expired deny-list entries, used
assertion ids, and expired authorization codes and SSO sessions, so storage does not
grow without bound. Run in the background by every server process (cheap, indexed
deletes) and by `runegate tokens purge`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import or_

from runegate.storage.db import Database
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.storage.models.token import UsedAssertion

log = logging.getLogger("runegate.oauth.housekeeping")
PURGE_INTERVAL = 600.0
CODE_KEPT = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    tokens: int
    denied_jtis: int
    assertions: int
    signin: int = 0  # expired authorization codes and SSO sessions


async def purge(db: Database, *, grace: timedelta = timedelta(0)) -> PurgeReport:
    """Delete rows that can no longer matter (expired, or revoked tokens)."""
    cutoff = datetime.now(UTC) - grace
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
    return PurgeReport(
        tokens=int(tokens.rowcount),  # type: ignore[attr-defined]
        denied_jtis=int(jtis.rowcount),  # type: ignore[attr-defined]
        assertions=int(used.rowcount),  # type: ignore[attr-defined]
        signin=int(codes.rowcount) + int(sessions.rowcount),  # type: ignore[attr-defined]
    )


class BackgroundPurge:
    def __init__(self, db: Database, interval: float = PURGE_INTERVAL) -> None:
        self.db = db
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                report = await purge(self.db)
                log.info("purged %d token rows", report.tokens)
            except Exception as exc:  # the database may be briefly down
                log.warning("token purge failed: %s", type(exc).__name__)
