"""Single-use account links: invitation, password recovery, email verification.

A link carries a 256-bit random token; only its keyed hash is stored (`crypto/hashing`).
Issuing a link ends the user's earlier unused links of the same purpose. Redeeming is
one conditional UPDATE (`used_at IS NULL AND expires_at > now`), so two requests with
one link never both succeed.
"""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import keyed_hashes
from runegate.crypto.hashing import random_secret
from runegate.errors import InvalidInput
from runegate.storage.models.mail import AccountToken
from runegate.storage.repositories.account_tokens import AccountTokenRepository
from runegate.tenancy.context import TenantContext

Purpose = Literal["invite", "recovery", "verify"]
VALIDITY: dict[str, timedelta] = {
    "invite": timedelta(hours=24),
    "recovery": timedelta(hours=1),
    "verify": timedelta(hours=24),
}
MAX_TOKEN_LENGTH = 128


class LinkRefused(InvalidInput):
    """The link is unknown, expired or already used (`reason`)."""

    def __init__(self, reason: Literal["unknown", "expired", "used"]) -> None:
        super().__init__(f"The link is {reason}.")
        self.reason = reason


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def issue_link(
    session: AsyncSession,
    tenant: TenantContext,
    keys: tuple[bytes, ...],
    user_id: str,
    purpose: Purpose,
    *,
    email: str | None = None,
    now: datetime | None = None,
) -> str:
    """A new link token for the user (returned once, stored hashed)."""
    now = now or datetime.now(UTC)
    repo = AccountTokenRepository(session, tenant=tenant)
    await repo.supersede(user_id, purpose, now)
    raw = random_secret()
    await repo.add(
        AccountToken(
            token_hash=keyed_hash(keys[0], raw),
            user_id=user_id,
            purpose=purpose,
            email=email,
            expires_at=now + VALIDITY[purpose],
            created_at=now,
        )
    )
    return raw


async def check_link(
    session: AsyncSession,
    tenant: TenantContext,
    keys: tuple[bytes, ...],
    raw: str,
    purpose: Purpose,
    *,
    redeem: bool = False,
    now: datetime | None = None,
) -> AccountToken:
    """The usable link for `raw`, or LinkRefused; `redeem` uses it up in the caller's
    transaction (exactly once across concurrent requests)."""
    now = now or datetime.now(UTC)
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise LinkRefused("unknown")
    repo = AccountTokenRepository(session, tenant=tenant)
    token = await repo.find_hash(keyed_hashes(keys, raw), purpose)
    if token is None:
        raise LinkRefused("unknown")
    if token.used_at is not None:
        raise LinkRefused("used")
    if _aware(token.expires_at) <= now:
        raise LinkRefused("expired")
    if redeem and not await repo.consume(token.token_hash, now):
        raise LinkRefused("used")
    return token


async def links_issued_since(
    session: AsyncSession, tenant: TenantContext, user_id: str, purpose: Purpose, since: datetime
) -> int:
    return await AccountTokenRepository(session, tenant=tenant).issued_since(
        user_id, purpose, since
    )
