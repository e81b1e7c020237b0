"""Signing keys per root organization, in the database: ensure, rotate, retire, purge.

One active key per algorithm (RS256 always; ES256 and PS256 on demand). Rotation makes
the new key sign at once while older keys keep verifying; retiring removes an inactive
key once every token it may have signed has expired. Every change bumps the change
counter, so cached key sets are dropped on every worker.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from datetime import UTC
from datetime import datetime

from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from runegate.crypto.keys import Algorithm
from runegate.crypto.keys import new_signing_key
from runegate.errors import Conflict
from runegate.errors import NotFound
from runegate.storage import changes
from runegate.storage.models.key import SigningKey
from runegate.storage.models.token import IssuedToken
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import PROVISION_HOOKS

KEY_LOCK = 0x4B455953  # "KEYS"
PROVISIONED_ALGORITHMS: tuple[Algorithm, ...] = ("RS256", "ES256")
SecretSource = Callable[[], tuple[bytes, ...]]
_secret_source: SecretSource | None = None


def configure_secrets(source: SecretSource) -> None:
    """Tell the provisioning hook where the server secrets come from (app or CLI start);
    `source` is called only when an organization is provisioned."""
    global _secret_source
    _secret_source = source


async def keys_of(session: AsyncSession, org_id: str) -> Sequence[SigningKey]:
    stmt = select(SigningKey).where(SigningKey.org_id == org_id).order_by(SigningKey.created_at)
    return (await session.execute(stmt)).scalars().all()


async def active_key(session: AsyncSession, org_id: str, alg: str) -> SigningKey | None:
    stmt = select(SigningKey).where(
        SigningKey.org_id == org_id, SigningKey.alg == alg, SigningKey.active.is_(True)
    )
    return (await session.execute(stmt)).scalars().first()


def _add(session: AsyncSession, org_id: str, alg: Algorithm, secrets: tuple[bytes, ...]) -> str:
    key = new_signing_key(alg, secrets)
    session.add(
        SigningKey(
            kid=key.kid,
            org_id=org_id,
            alg=alg,
            private_key=key.encrypted_private_key,
            public_jwk=key.public_jwk,
            active=True,
        )
    )
    return key.kid


async def ensure_key(
    session: AsyncSession, org_id: str, alg: Algorithm, secrets: tuple[bytes, ...]
) -> bool:
    """Create the active key for `alg` if there is none; True when one was created."""
    if await active_key(session, org_id, alg) is not None:
        return False
    _add(session, org_id, alg, secrets)
    await session.flush()
    await changes.bump(session)
    return True


async def rotate(
    session: AsyncSession, org_id: str, alg: Algorithm, secrets: tuple[bytes, ...]
) -> str:
    """A new active key for `alg`; the previous one keeps verifying until retired."""
    current = await active_key(session, org_id, alg)
    if current is not None:
        current.active = False
        current.deactivated_at = datetime.now(UTC)
    kid = _add(session, org_id, alg, secrets)
    await session.flush()
    await changes.bump(session)
    return kid


async def retire(session: AsyncSession, kid: str, *, org_id: str | None = None) -> None:
    """Delete an inactive key once no unexpired JWT issued while it was active remains."""
    key = await session.get(SigningKey, kid)
    if key is None or (org_id is not None and key.org_id != org_id):
        raise NotFound("The signing key does not exist.")
    if key.active or key.deactivated_at is None:
        raise Conflict("The key is active; rotate its algorithm first.")
    pending = await session.scalar(
        select(
            exists().where(
                IssuedToken.org_id == key.org_id,
                IssuedToken.format == "jwt",
                IssuedToken.issued_at <= key.deactivated_at,
                IssuedToken.expires_at > datetime.now(UTC),
            )
        )
    )
    if pending:
        raise Conflict("Tokens signed by this key have not expired yet.")
    await session.delete(key)
    await changes.bump(session)


async def provision_keys(session: AsyncSession, tenant: TenantContext) -> None:
    """PROVISION_HOOKS entry: a new root organization gets its signing keys."""
    if _secret_source is None or tenant.org_id != tenant.root_id:
        return  # keys are then created on first use
    secrets = _secret_source()
    for alg in PROVISIONED_ALGORITHMS:
        await ensure_key(session, tenant.root_id, alg, secrets)


if provision_keys not in PROVISION_HOOKS:
    PROVISION_HOOKS.append(provision_keys)
