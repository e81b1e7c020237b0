"""A user's second factors in one organization: the TOTP authenticator and backup codes."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from runegate.storage.models.mfa import UserBackupCode
from runegate.storage.models.mfa import UserTotp
from runegate.storage.repositories.base import TenantRepository


class TotpRepository(TenantRepository[UserTotp]):
    model = UserTotp

    async def of_user(self, user_id: str) -> UserTotp | None:
        return await self.find_by(user_id=user_id)

    async def is_enrolled(self, user_id: str) -> bool:
        stmt = select(UserTotp.enrolled).where(
            UserTotp.org_id == self.org_id, UserTotp.user_id == user_id
        )
        return bool(await self.session.scalar(stmt))

    async def claim_step(self, user_id: str, step: int) -> bool:
        """Record `step` as used, only if it is later than the last used one (one
        conditional UPDATE, so two concurrent uses of one code cannot both pass)."""
        stmt = (
            update(UserTotp)
            .where(
                UserTotp.org_id == self.org_id,
                UserTotp.user_id == user_id,
                UserTotp.last_step < step,
            )
            .values(last_step=step)
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def remove(self, user_id: str) -> int:
        stmt = delete(UserTotp).where(UserTotp.org_id == self.org_id, UserTotp.user_id == user_id)
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]


class BackupCodeRepository(TenantRepository[UserBackupCode]):
    model = UserBackupCode

    async def remaining(self, user_id: str) -> int:
        stmt = select(func.count()).where(
            UserBackupCode.org_id == self.org_id, UserBackupCode.user_id == user_id
        )
        return int(await self.session.scalar(stmt) or 0)

    async def remove_all(self, user_id: str) -> int:
        stmt = delete(UserBackupCode).where(
            UserBackupCode.org_id == self.org_id, UserBackupCode.user_id == user_id
        )
        return int((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]

    async def use(self, user_id: str, code_hashes: list[str]) -> bool:
        """Delete the user's code with one of `code_hashes`; True when one was deleted
        (a code is usable once: the DELETE decides between concurrent uses)."""
        stmt = delete(UserBackupCode).where(
            UserBackupCode.org_id == self.org_id,
            UserBackupCode.user_id == user_id,
            UserBackupCode.code_hash.in_(code_hashes),
        )
        return bool((await self.session.execute(stmt)).rowcount)  # type: ignore[attr-defined]
