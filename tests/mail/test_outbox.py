"""The outbox against a real SMTP server: delivery, single claim, retries, failures."""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from runegate.config import Settings
from runegate.config import UnsafeConfiguration
from runegate.mail.outbox import MAX_ATTEMPTS
from runegate.mail.outbox import Outbox
from runegate.mail.outbox import enqueue
from runegate.mail.transport import FileTransport
from runegate.mail.transport import SmtpTransport
from runegate.mail.transport import parse_smtp_url
from runegate.storage.db import Database
from runegate.storage.models.mail import MailOutbox
from tests.conftest import AppFactory
from tests.mail.smtpd import Inbox
from tests.mail.smtpd import free_port
from tests.mail.smtpd import html_of
from tests.mail.smtpd import text_of

pytestmark = pytest.mark.storage
ORG = "00000000-0000-0000-0000-00000000000a"


async def _queue(db: Database, count: int = 1, to: str = "ada@example.com") -> list[str]:
    async with db.write() as session:
        rows = [
            enqueue(
                session,
                ORG,
                sender="Runegate <no-reply@example.com>",
                recipient=to,
                subject=f"Hello {i}",
                text=f"plain {i}",
                html=f"<p>html {i}</p>",
            )
            for i in range(count)
        ]
    return [row.id for row in rows]


async def _row(db: Database, row_id: str) -> MailOutbox:
    async with db.read() as session:
        row = await session.get(MailOutbox, row_id)
    assert row is not None
    return row


def _smtp(port: int) -> SmtpTransport:
    return SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{port}"))


async def test_the_app_sends_a_committed_mail_through_smtp(
    make_app: AppFactory, smtp_url: str, inbox: Inbox, db: Database
) -> None:
    await make_app(smtp_url=smtp_url)
    (row_id,) = await _queue(db)
    message = await inbox.next()
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Hello 0"
    assert message["Auto-Submitted"] == "auto-generated"
    assert text_of(message).strip() == "plain 0"
    assert html_of(message).strip() == "<p>html 0</p>"
    for _ in range(100):  # the sent mark follows the server's acceptance
        row = await _row(db, row_id)
        if row.status == "sent":
            break
        await asyncio.sleep(0.05)
    assert (row.status, row.attempts, row.text_body, row.html_body) == ("sent", 1, "", None)


async def test_a_rolled_back_action_sends_nothing(db: Database, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            enqueue(
                session,
                ORG,
                sender="a@example.com",
                recipient="b@example.com",
                subject="s",
                text="t",
            )
            raise RuntimeError("the action failed")
    assert await Outbox(db, _smtp(port)).run_once() == 0
    assert inbox.count() == 0


async def test_two_workers_never_send_one_mail_twice(db: Database, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    ids = await _queue(db, 6)
    first, second = Outbox(db, _smtp(port)), Outbox(db, _smtp(port))
    claimed = await asyncio.gather(first.run_once(), second.run_once(), first.run_once())
    assert sum(claimed) == 6
    subjects = sorted([str((await inbox.next())["Subject"]) for _ in ids])
    assert subjects == sorted(f"Hello {i}" for i in range(6))
    assert inbox.count() == 0
    assert await first.run_once() == 0


async def test_an_unreachable_server_is_retried_with_backoff(
    db: Database, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    (row_id,) = await _queue(db)
    down = Outbox(db, _smtp(free_port()))
    assert await down.run_once() == 1
    row = await _row(db, row_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error and row.text_body == "plain 0"
    assert row.next_attempt_at.replace(tzinfo=UTC) > datetime.now(UTC)
    assert await down.run_once() == 0  # not due yet
    # Later (a clock past the backoff), a worker with a reachable server delivers it.
    later = Outbox(db, _smtp(port), now=lambda: datetime.now(UTC).replace(year=2999))
    assert await later.run_once() == 1
    assert (await inbox.next())["Subject"] == "Hello 0"
    assert (await _row(db, row_id)).status == "sent"


async def test_a_refused_recipient_fails_for_good(db: Database, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    inbox.refuse.add("nobody@example.com")
    (row_id,) = await _queue(db, to="nobody@example.com")
    assert await Outbox(db, _smtp(port)).run_once() == 1
    row = await _row(db, row_id)
    assert (row.status, row.text_body) == ("failed", "")
    assert "550" in (row.last_error or "") or "refused" in (row.last_error or "")


async def test_retries_stop_after_the_last_attempt(db: Database) -> None:
    (row_id,) = await _queue(db)
    clock = [datetime.now(UTC)]
    down = Outbox(db, _smtp(free_port()), now=lambda: clock[0])
    for _ in range(MAX_ATTEMPTS):
        assert await down.run_once() == 1
        clock[0] += timedelta(hours=2)  # past the longest backoff
    assert (await _row(db, row_id)).status == "failed"
    assert await down.run_once() == 0


async def test_without_smtp_mails_become_eml_files(db: Database, tmp_path: Path) -> None:
    await _queue(db)
    assert await Outbox(db, FileTransport(tmp_path / "mail")).run_once() == 1
    (path,) = (tmp_path / "mail").glob("*.eml")
    assert b"Subject: Hello 0" in path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0
    async with db.read() as session:
        assert (await session.execute(select(MailOutbox.status))).scalars().all() == ["sent"]


def test_smtp_urls() -> None:
    plain = parse_smtp_url("smtp://mail.example.com")
    assert (plain.port, plain.security, plain.username) == (25, "plain", None)
    start = parse_smtp_url("smtp://u%40x:p%3Aw@mail.example.com:2525?starttls=1&timeout=5")
    assert (start.port, start.security, start.username, start.password, start.timeout) == (
        2525,
        "starttls",
        "u@x",
        "p:w",
        5.0,
    )
    assert parse_smtp_url("smtps://mail.example.com").port == 465
    with pytest.raises(ValueError):
        parse_smtp_url("http://mail.example.com")


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("smtp://mail.example.com:25", False),
        ("smtp://mail.example.com:587?starttls=1", True),
        ("smtps://mail.example.com", True),
        ("smtp://127.0.0.1:25", True),
    ],
)
def test_production_refuses_plain_smtp_to_another_host(url: str, safe: bool) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="production",
        secret_key="x" * 40,
        public_url="https://id.example.com",
        smtp_url=url,
    )
    if safe:
        settings.check_production()
    else:
        with pytest.raises(UnsafeConfiguration, match="SMTP"):
            settings.check_production()
