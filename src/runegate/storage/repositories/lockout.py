"""Failed sign-in counters and account locks of one organization (models/lockout.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from datetime import datetime

from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import tuple_
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.lockout import SignInCounter
from runegate.storage.repositories.base import among
from runegate.tenancy.context import TenantContext

Key = tuple[str, str]  # (kind, subject)
MAX_SUBJECT = 255


def aware(value: datetime) -> datetime:
    """SQLite returns naive UTC datetimes."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class SignInCounterRepository:
    def __init__(self, session: AsyncSession, *, tenant: TenantContext) -> None:
        self.session = session
        self.org_id = tenant.org_id

    async def find_many(self, keys: Sequence[Key]) -> dict[Key, SignInCounter]:
        wanted = [(kind, subject[:MAX_SUBJECT]) for kind, subject in keys]
        stmt = select(SignInCounter).where(
            SignInCounter.org_id == self.org_id,
            tuple_(SignInCounter.kind, SignInCounter.subject).in_(wanted),
        )
        rows = (await self.session.execute(stmt)).scalars().all()
        return {(row.kind, row.subject): row for row in rows}

    async def find_of_kind(self, kind: str, subjects: Sequence[str]) -> list[SignInCounter]:
        """The rows of several subjects of one kind (a page of users) in one query."""
        wanted = [subject[:MAX_SUBJECT] for subject in subjects]
        stmt = select(SignInCounter).where(
            SignInCounter.org_id == self.org_id,
            SignInCounter.kind == kind,
            among(self.session, SignInCounter.subject, wanted),
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def locked(self, key: Key, now: datetime) -> SignInCounter:
        """The row of `key`, created when missing and locked for this transaction
        (`SELECT ... FOR UPDATE`; SQLite's write transactions are serialized anyway)."""
        kind, subject = key[0], key[1][:MAX_SUBJECT]
        values = {
            "org_id": self.org_id,
            "kind": kind,
            "subject": subject,
            "failures": 0,
            "window_start": now,
            "lock_count": 0,
            "admin_locked": False,
        }
        dialect = sqlite if self.session.get_bind().dialect.name == "sqlite" else postgresql
        insert = dialect.insert(SignInCounter).values(**values).on_conflict_do_nothing()
        await self.session.execute(insert)
        stmt = (
            select(SignInCounter)
            .where(
                SignInCounter.org_id == self.org_id,
                SignInCounter.kind == kind,
                SignInCounter.subject == subject,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def remove(self, key: Key) -> int:
        stmt = delete(SignInCounter).where(
            SignInCounter.org_id == self.org_id,
            SignInCounter.kind == key[0],
            SignInCounter.subject == key[1][:MAX_SUBJECT],
        )
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


async def purge_counters(session: AsyncSession, before: datetime) -> int:
    """Housekeeping: rows whose window started before `before` and that hold no lock."""
    stmt = delete(SignInCounter).where(
        SignInCounter.admin_locked.is_(False),
        SignInCounter.window_start < before,
        or_(SignInCounter.locked_until.is_(None), SignInCounter.locked_until < before),
    )
    return int((await session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
