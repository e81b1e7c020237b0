"""The persistent outbox: mails are rows written with the action that promises them,
sent in the background by every server process, retried with backoff.

Claiming is safe across workers and nodes (`runegate.storage.queue`). A row left in
`sending` by a crashed worker is claimed again after `LEASE` (delivery is at least once:
a crash between the server's acceptance and the `sent` mark can send a mail twice).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from email.utils import make_msgid
from typing import Protocol

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.mail.transport import PermanentFailure
from runegate.mail.transport import TransientFailure
from runegate.mail.transport import Transport
from runegate.storage.db import Database
from runegate.storage.models.mail import MailOutbox
from runegate.storage.queue import QueueWorker

log = logging.getLogger("runegate.mail")
POLL_INTERVAL = 5.0
BATCH = 20
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)
FIRST_RETRY = 30.0  # seconds; doubles per attempt
MAX_RETRY = 3600.0

# Outboxes of this process, woken when a transaction that queued a mail commits.
_running: set[Outbox] = set()


def enqueue(
    session: AsyncSession,
    org_id: str,
    *,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str | None = None,
) -> MailOutbox:
    """Queue a mail in the caller's transaction; it is sent after the commit."""
    row = MailOutbox(
        org_id=org_id,
        sender=sender,
        recipient=recipient,
        subject=subject,
        text_body=text,
        html_body=html,
        status="pending",
        attempts=0,
        next_attempt_at=datetime.now(UTC),
    )
    session.add(row)
    event.listen(session.sync_session, "after_commit", _wake_all, once=True)
    return row


def enqueue_account_mail(
    session: AsyncSession, org_id: str, *, kind: str, user_id: str, recipient: str, sender: str = ""
) -> MailOutbox:
    """Queue an account mail (invite, recovery, verify); composed with its link when sent."""
    row = enqueue(session, org_id, sender=sender, recipient=recipient, subject="", text="")
    row.kind = kind
    row.user_id = user_id
    return row


class Composer(Protocol):
    async def compose(self, session: AsyncSession, row: MailOutbox) -> EmailMessage | None: ...


def _wake_all(_session: object) -> None:
    for outbox in list(_running):
        outbox.wake()


def build_message(
    row_id: str,
    created_at: datetime,
    sender: str,
    recipient: str,
    subject: str,
    text: str,
    html: str | None,
) -> EmailMessage:
    """An RFC 5322 message; the Message-ID derives from the outbox row (stable on retry)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(_aware(created_at))
    domain = sender.rsplit("@", 1)[-1].strip(" >") or "runegate.invalid"
    message["Message-ID"] = make_msgid(idstring=row_id.replace("-", ""), domain=domain)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834 §5
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def _literal(row: MailOutbox) -> EmailMessage:
    return build_message(
        row.id,
        row.created_at,
        row.sender,
        row.recipient,
        row.subject,
        row.text_body,
        row.html_body,
    )


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY))


class Outbox(QueueWorker[MailOutbox]):
    """Sends due mails of every organization; one per server process."""

    model = MailOutbox
    batch = BATCH
    lease = LEASE
    what = "mail outbox"

    def __init__(
        self,
        db: Database,
        transport: Transport,
        *,
        composer: Composer | None = None,
        interval: float = POLL_INTERVAL,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(db, interval=interval, log=log, now=now)
        self.transport = transport
        self.composer = composer

    def start(self) -> None:
        _running.add(self)
        super().start()

    async def stop(self) -> None:
        _running.discard(self)
        await super().stop()

    async def process(self, rows: list[MailOutbox]) -> None:
        for row in rows:
            await self._deliver(row)

    async def _message(self, row: MailOutbox) -> EmailMessage | None:
        if row.kind is None:
            return _literal(row)
        if self.composer is None:
            return None
        async with self.db.write() as session:
            return await self.composer.compose(session, row)

    async def _deliver(self, row: MailOutbox) -> None:
        values: dict[str, object]
        try:
            message = await self._message(row)
            if message is None:
                await self.finish(row, {"status": "cancelled", "text_body": "", "html_body": None})
                return
            await self.transport.send(message)
        except (PermanentFailure, TransientFailure) as exc:
            final = isinstance(exc, PermanentFailure) or row.attempts >= MAX_ATTEMPTS
            log.warning(
                "mail %s to %s failed (attempt %d%s): %s",
                row.id,
                row.recipient,
                row.attempts,
                ", giving up" if final else "",
                exc,
            )
            values = {"status": "failed" if final else "pending", "last_error": str(exc)[:255]}
            if final:
                values |= {"text_body": "", "html_body": None}
            else:
                values["next_attempt_at"] = self.now() + retry_delay(row.attempts)
        else:
            values = {
                "status": "sent",
                "sent_at": self.now(),
                "last_error": None,
                "text_body": "",
                "html_body": None,
            }
        await self.finish(row, values)


async def recent_account_mails(
    session: AsyncSession, org_id: str, user_id: str, kind: str, since: datetime
) -> int:
    """How many account mails of `kind` were queued for the user since `since`."""
    stmt = select(func.count()).where(
        MailOutbox.org_id == org_id,
        MailOutbox.user_id == user_id,
        MailOutbox.kind == kind,
        MailOutbox.created_at >= since,
    )
    return int((await session.execute(stmt)).scalar_one())
