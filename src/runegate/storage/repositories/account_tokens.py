"""Single-use account link tokens of one organization (stored as keyed hashes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runegate.storage.models.mail import AccountToken
from runegate.storage.models.user import User
from runegate.storage.models.user import UserEmail
from runegate.storage.repositories.base import TenantRepository


class AccountTokenRepository(TenantRepository[AccountToken]):
    model = AccountToken
    not_found = "The link does not exist."

    async def supersede(self, user_id: str, purpose: str, now: datetime) -> None:
        """End the user's unused links of this purpose (a new one replaces them)."""
        await self.session.execute(
            update(AccountToken)
            .where(
                AccountToken.org_id == self.org_id,
                AccountToken.user_id == user_id,
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )

    async def find_hash(self, hashes: Sequence[str], purpose: str) -> AccountToken | None:
        stmt = self.select().where(
            AccountToken.token_hash.in_(list(hashes)), AccountToken.purpose == purpose
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def consume(self, token_hash: str, now: datetime) -> bool:
        """Mark the link used if it is still usable; False when another request won."""
        result = await self.session.execute(
            update(AccountToken)
            .where(
                AccountToken.org_id == self.org_id,
                AccountToken.token_hash == token_hash,
                AccountToken.used_at.is_(None),
                AccountToken.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def issued_since(self, user_id: str, purpose: str, since: datetime) -> int:
        stmt = select(func.count()).where(
            AccountToken.org_id == self.org_id,
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.created_at >= since,
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def users_with_email(self, email: str) -> Sequence[User]:
        """Users of the organization having this email address (not case-exact)."""
        owners = select(UserEmail.user_id).where(
            UserEmail.org_id == self.org_id, UserEmail.value_ci == email.lower()
        )
        stmt = select(User).where(User.org_id == self.org_id, User.id.in_(owners))
        return (await self.session.execute(stmt)).scalars().all()
