"""The second sign-in factor: TOTP enrolment and checks, and backup codes.

Callers own the unit of work (`db.write()`); functions here flush but never commit.
The TOTP secret is stored encrypted under the server secret (`crypto/keys.py`) and is
shown only while enrolment is pending; backup codes are stored only as keyed hashes.
Implements: RFC 6238 (TOTP, `crypto/totp.py`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.crypto import totp
from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import keyed_hashes
from runegate.crypto.keys import decrypt_value
from runegate.crypto.keys import encrypt_value
from runegate.errors import Conflict
from runegate.errors import NotFound
from runegate.storage.models.mfa import UserBackupCode
from runegate.storage.models.mfa import UserTotp
from runegate.storage.repositories.mfa import BackupCodeRepository
from runegate.storage.repositories.mfa import TotpRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

PURPOSE = "totp-secret"
BACKUP_CODE_COUNT = 10
# 10 characters from 32 unambiguous ones: 50 bits each, shown in two groups of five.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_BACKUP_LENGTH = 10


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A pending TOTP secret to show once (QR code and manual entry)."""

    secret: str
    uri: str


@dataclass(frozen=True, slots=True)
class TotpStatus:
    enrolled: bool
    pending: Enrolment | None  # the secret while enrolment waits for a first code


def _totp(session: AsyncSession, tenant: TenantContext) -> TotpRepository:
    return TotpRepository(session, tenant=tenant)


async def _enrolment(
    session: AsyncSession, tenant: TenantContext, user_id: str, secret: str
) -> Enrolment:
    user = await UserRepository(session, tenant=tenant).get(user_id)
    uri = totp.otpauth_uri(secret, issuer=tenant.root_name, account=user.user_name)
    return Enrolment(secret, uri)


async def status(
    session: AsyncSession, tenant: TenantContext, keys: tuple[bytes, ...], user_id: str
) -> TotpStatus:
    row = await _totp(session, tenant).of_user(user_id)
    if row is None:
        return TotpStatus(False, None)
    if row.enrolled:
        return TotpStatus(True, None)
    secret = decrypt_value(row.secret_encrypted, keys, purpose=PURPOSE)
    return TotpStatus(False, await _enrolment(session, tenant, user_id, secret))


async def start(
    session: AsyncSession,
    tenant: TenantContext,
    keys: tuple[bytes, ...],
    user_id: str,
    *,
    refresh: bool = False,
) -> Enrolment:
    """A new pending secret (INIT; REFRESH also replaces an enrolled one, which stays
    unusable until a code of the new one is validated)."""
    repo = _totp(session, tenant)
    await UserRepository(session, tenant=tenant).get(user_id)
    row = await repo.of_user(user_id)
    if row is not None and row.enrolled and not refresh:
        raise Conflict("TOTP is already enrolled; delete or refresh it first.")
    secret = totp.new_secret()
    sealed = encrypt_value(secret, keys, purpose=PURPOSE)
    if row is None:
        await repo.add(UserTotp(user_id=user_id, secret_encrypted=sealed, last_step=0))
    else:
        row.secret_encrypted, row.enrolled, row.last_step = sealed, False, 0
        await repo.flush()
    return await _enrolment(session, tenant, user_id, secret)


async def check_code(
    session: AsyncSession, tenant: TenantContext, keys: tuple[bytes, ...], user_id: str, code: str
) -> bool:
    """True when `code` is the user's current TOTP code and its step was not used yet;
    the first valid code completes a pending enrolment."""
    repo = _totp(session, tenant)
    row = await repo.of_user(user_id)
    if row is None:
        return False
    secret = decrypt_value(row.secret_encrypted, keys, purpose=PURPOSE)
    step = totp.matching_step(secret, code)
    # RFC 6238 §5.2: accept a code once (the step is recorded atomically).
    if step is None or not await repo.claim_step(user_id, step):
        return False
    if not row.enrolled:
        row.enrolled = True
        await repo.flush()
    return True


async def remove(session: AsyncSession, tenant: TenantContext, user_id: str) -> None:
    if not await _totp(session, tenant).remove(user_id):
        raise NotFound("No TOTP authenticator is enrolled.")


async def is_enrolled(session: AsyncSession, tenant: TenantContext, user_id: str) -> bool:
    return await _totp(session, tenant).is_enrolled(user_id)


def _backup_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(_BACKUP_LENGTH))


def _normalize(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


async def new_backup_codes(
    session: AsyncSession, tenant: TenantContext, keys: tuple[bytes, ...], user_id: str
) -> list[str]:
    """Replace the user's backup codes with new ones, returned this once."""
    await UserRepository(session, tenant=tenant).get(user_id)
    repo = BackupCodeRepository(session, tenant=tenant)
    await repo.remove_all(user_id)
    codes = [_backup_code() for _ in range(BACKUP_CODE_COUNT)]
    rows = [UserBackupCode(user_id=user_id, code_hash=keyed_hash(keys[0], c)) for c in codes]
    await repo.add_many(rows)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


async def remaining_backup_codes(session: AsyncSession, tenant: TenantContext, user_id: str) -> int:
    return await BackupCodeRepository(session, tenant=tenant).remaining(user_id)


async def remove_backup_codes(session: AsyncSession, tenant: TenantContext, user_id: str) -> None:
    await BackupCodeRepository(session, tenant=tenant).remove_all(user_id)


async def use_backup_code(
    session: AsyncSession, tenant: TenantContext, keys: tuple[bytes, ...], user_id: str, code: str
) -> bool:
    """True once per code: a used code is deleted."""
    normalized = _normalize(code)
    if len(normalized) != _BACKUP_LENGTH:
        return False
    repo = BackupCodeRepository(session, tenant=tenant)
    return await repo.use(user_id, keyed_hashes(keys, normalized))


async def verify_second_factor(
    session: AsyncSession, tenant: TenantContext, keys: tuple[bytes, ...], user_id: str, code: str
) -> bool:
    """A sign-in's second step: a TOTP code (6 digits) or one of the backup codes."""
    code = code.strip()
    if len(code) == totp.DIGITS and code.isdigit():
        return await check_code(session, tenant, keys, user_id, code)
    return await use_backup_code(session, tenant, keys, user_id, code)
