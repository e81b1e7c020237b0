"""The counter repository: two organizations never see or clear each other's rows;
housekeeping drops stale counters and keeps live locks."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from runegate.oauth.housekeeping import purge
from runegate.storage.db import Database
from runegate.storage.repositories.lockout import SignInCounterRepository
from runegate.tenancy.service import provision_org

KEY = ("user", "user-1")


async def test_counters_are_isolated_and_purged(db: Database) -> None:
    now = datetime.now(UTC)
    async with db.write() as s:
        a = (await provision_org(s, "org-a", base_url="http://x")).tenant
        b = (await provision_org(s, "org-b", base_url="http://x")).tenant
        row = await SignInCounterRepository(s, tenant=a).locked(KEY, now)
        row.failures = 3
        stale = await SignInCounterRepository(s, tenant=a).locked(("ip", "192.0.2.1"), now)
        stale.window_start = now - timedelta(days=2)
        old_lock = await SignInCounterRepository(s, tenant=a).locked(("name", "x"), now)
        old_lock.window_start = now - timedelta(days=2)
        old_lock.locked_until = now + timedelta(hours=1)
    async with db.write() as s:
        repo_b = SignInCounterRepository(s, tenant=b)
        assert await repo_b.find_many([KEY]) == {}
        assert await repo_b.remove(KEY) == 0
        mine = await repo_b.locked(KEY, now)  # B's own row, not A's
        assert mine.failures == 0
    async with db.read() as s:
        rows = await SignInCounterRepository(s, tenant=a).find_many([KEY])
        assert rows[KEY].failures == 3
    await purge(db)
    async with db.read() as s:
        left = await SignInCounterRepository(s, tenant=a).find_many(
            [KEY, ("ip", "192.0.2.1"), ("name", "x")]
        )
    assert set(left) == {KEY, ("name", "x")}  # the stale address row is gone
