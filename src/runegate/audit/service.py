"""`audit.record(...)`: one audit event, written inside the caller's write transaction,
so an event exists if and only if the change it describes committed.

What is recorded: actor (user id or client id), action, target type and id, outcome,
time, client IP and trace id. Never a secret, password, token or request body: callers
pass identifiers only.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.audit.context import current_facts
from runegate.storage.db import Database
from runegate.storage.models.audit import AuditEvent
from runegate.storage.repositories.audit import AuditRepository
from runegate.tenancy.context import TenantContext
from runegate.tracing import current_trace_id

MAX_ID = 255
MAX_REASON = 128


async def record(
    session: AsyncSession,
    *,
    tenant: TenantContext,
    action: str,
    target_type: str,
    target_id: str | None = None,
    outcome: str = "success",
    reason: str | None = None,
    actor: str | None = None,
    actor_type: str | None = None,
) -> None:
    """Add an audit event to `session`'s transaction (committed with the change)."""
    facts = current_facts()
    event = AuditEvent(
        actor=(actor or facts.actor)[:MAX_ID],
        actor_type=actor_type or facts.actor_type,
        action=action,
        target_type=target_type,
        target_id=target_id[:MAX_ID] if target_id else None,
        outcome=outcome,
        reason=reason[:MAX_REASON] if reason else None,
        client_ip=facts.client_ip,
        trace_id=current_trace_id()[:128],
    )
    await AuditRepository(session, tenant=tenant).append(event)


async def record_sign_in(
    db: Database,
    tenant: TenantContext,
    *,
    client_id: str,
    user: str,
    succeeded: bool,
    reason: str | None = None,
) -> None:
    """A sign-in attempt (its own transaction): `user` is the user id on success, the
    user name as typed on failure; the target is the application signed in to."""
    async with db.write() as session:
        await record(
            session,
            tenant=tenant,
            action="user.sign_in",
            target_type="application",
            target_id=client_id,
            outcome="success" if succeeded else "failure",
            reason=reason,
            actor=user,
            actor_type="user",
        )
