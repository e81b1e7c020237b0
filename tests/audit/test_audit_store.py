"""Audit storage: two-organization isolation of every repository method, retention purge."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from runegate import audit
from runegate.oauth.housekeeping import purge
from runegate.storage.db import Database
from runegate.storage.models.audit import AuditEvent
from runegate.storage.repositories.audit import AuditRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import provision_org


async def _two_orgs(db: Database) -> tuple[TenantContext, TenantContext]:
    async with db.write() as s:
        a = (await provision_org(s, "org-a", base_url="http://x")).tenant
        b = (await provision_org(s, "org-b", base_url="http://x")).tenant
    return a, b


async def test_audit_events_are_isolated(db: Database) -> None:
    a, b = await _two_orgs(db)
    async with db.write() as s:
        await audit.record(s, tenant=a, action="user.create", target_type="user", target_id="u1")
        await AuditRepository(s, tenant=b).append(
            AuditEvent(actor="x", actor_type="system", action="group.create", target_type="group")
        )
    async with db.read() as s:
        total_a, rows_a = await AuditRepository(s, tenant=a).newest_first(None, offset=0, limit=10)
        total_b, rows_b = await AuditRepository(s, tenant=b).newest_first(
            AuditEvent.action == "user.create", offset=0, limit=10
        )
        assert await AuditRepository(s, tenant=b).find(rows_a[0].id) is None
    assert total_a == 1 and rows_a[0].actor == "system" and rows_a[0].org_id == a.org_id
    assert total_b == 0 and rows_b == []


async def test_purge_keeps_events_within_retention(db: Database) -> None:
    a, b = await _two_orgs(db)
    old = datetime.now(UTC) - timedelta(days=91)
    async with db.write() as s:
        for tenant in (a, b):
            repo = AuditRepository(s, tenant=tenant)
            for created in (old, datetime.now(UTC)):
                event = AuditEvent(
                    actor="x", action="user.delete", actor_type="system", target_type="user"
                )
                event.created_at = created
                await repo.append(event)
    assert (await purge(db)).audit_events == 0  # no retention given: kept
    report = await purge(db, audit_retention=timedelta(days=90))
    assert report.audit_events == 2
    async with db.read() as s:
        for tenant in (a, b):
            total, _rows = await AuditRepository(s, tenant=tenant).newest_first(
                None, offset=0, limit=5
            )
            assert total == 1
