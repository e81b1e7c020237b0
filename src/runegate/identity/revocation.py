"""Ending a user's tokens when the user is disabled, deleted or gets a new password.

Marks the user's IssuedToken rows revoked (opaque and JWT alike) and puts live JWT
access tokens on the `revoked_jti` deny-list.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.tenancy.context import TenantContext


async def revoke_user_tokens(session: AsyncSession, tenant: TenantContext, user_id: str) -> int:
    """Revoke every unexpired token issued to the user of `tenant`; returns how many.

    The user's tokens may act in a switched sub-organization, so rows are matched on
    the root organization's tree (`org_id` of the user) and the subject.
    """
    now = datetime.now(UTC)
    live = (
        IssuedToken.subject_type == "user",
        IssuedToken.subject == user_id,
        IssuedToken.revoked.is_(False),
        IssuedToken.expires_at > now,
    )
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
    result = await session.execute(update(IssuedToken).where(*live).values(revoked=True))
    await session.flush()
    return int(result.rowcount)  # type: ignore[attr-defined]
