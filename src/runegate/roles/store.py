"""The password grant's user store: credentials and the scopes of the user's roles.

`authenticate` is the one place every password check goes through (the password grant,
the hosted login page, app-native authentication): it applies the organization's
lockout (identity/lockout.py) and verifies argon2id in the bounded pool
(identity/passwords.py `VerifyPool`).

The scopes of (organization, application, user) are cached in the worker; every role,
assignment or group membership change bumps the `roles` change counter, which clears
this cache in the worker that wrote at commit and in every other worker at its next
poll (within a second; `cache.py`). Configuration changes (applications, their
associated roles, API scopes) clear it too.
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from datetime import datetime
from functools import lru_cache

from runegate.audit.context import current_facts
from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.crypto.hashing import hash_password
from runegate.errors import InvalidGrant
from runegate.errors import LimitExceeded
from runegate.identity import lockout
from runegate.identity import mfa
from runegate.identity.lockout import LockoutPolicy
from runegate.identity.passwords import VerifyPool
from runegate.identity.users import PENDING_INVITATION
from runegate.roles.resolve import organization_role_scopes
from runegate.roles.resolve import role_scopes
from runegate.storage.changes import ROLES
from runegate.storage.db import Database
from runegate.storage.models.lockout import SignInCounter
from runegate.storage.models.user import User
from runegate.storage.repositories.lockout import Key
from runegate.storage.repositories.lockout import SignInCounterRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

# RFC 6749 §5.2 / STYLE §5: one generic description; the reason goes to `detail`.
BAD_CREDENTIALS = "The user credentials are invalid."
MAX_CACHED_USERS = 50_000


class AccountLocked(InvalidGrant):
    """The account (or the unknown name) is locked: the same wire answer as bad
    credentials on the password grant; the login page may say more."""


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both cases cost the same."""
    return hash_password("runegate-no-such-user")


def too_many_failures(seconds: float) -> LimitExceeded:
    after = str(max(1, int(seconds + 0.999)))
    return LimitExceeded(
        f"Too many failed sign-in attempts; retry after {after} seconds.",
        headers={"Retry-After": after},
        detail="client IP over its failed sign-in limit",
    )


class RoleUserStore:
    def __init__(
        self,
        db: Database,
        caches: CacheRegistry,
        *,
        pool: VerifyPool | None = None,
        ip_failure_limit: int = 50,
    ) -> None:
        self.db = db
        self.pool = pool or VerifyPool()
        self.ip_failure_limit = ip_failure_limit
        self._scopes: Cache[frozenset[str]] = Cache(
            caches, "role_scopes", MAX_CACHED_USERS, channel=ROLES
        )
        self._policies: Cache[LockoutPolicy] = Cache(caches, "lockout_policies")

    async def authenticate(self, tenant: TenantContext, username: str, password: str) -> str:
        """The user's id, or `InvalidGrant` (`AccountLocked` while locked); `LimitExceeded`
        when the client IP is over its failure limit; `PasswordChecksBusy` when full."""
        ip, now = current_facts().client_ip, datetime.now(UTC)
        ip_key = (lockout.IP, ip or "-")
        user, policy, key, rows = await self._load(tenant, username, ip_key)
        wait = lockout.ip_wait(rows.get(ip_key), policy, self.ip_failure_limit, now)
        if wait:
            raise too_many_failures(wait)
        row = rows.get(key)
        if lockout.is_locked(row, now) and (policy.enabled or (row and row.admin_locked)):
            raise AccountLocked(BAD_CREDENTIALS, detail="account locked")
        valid = await self._verify(user, password)
        if user is None or not valid:
            async with self.db.write() as session:
                await lockout.record_failure(
                    session, tenant, policy, key, ip=ip, ip_limit=self.ip_failure_limit, now=now
                )
            raise InvalidGrant(BAD_CREDENTIALS, detail="unknown user or wrong password")
        if not user.active or user.attributes.get(PENDING_INVITATION):
            raise InvalidGrant(BAD_CREDENTIALS, detail="user disabled or pending invitation")
        if key in rows:  # a success resets the count
            async with self.db.write() as session:
                await SignInCounterRepository(session, tenant=tenant).remove(key)
        return user.id

    async def needs_second_factor(self, tenant: TenantContext, user_id: str) -> bool:
        async with self.db.read() as session:
            return await mfa.is_enrolled(session, tenant, user_id)

    async def _load(
        self, tenant: TenantContext, username: str, ip_key: Key
    ) -> tuple[User | None, LockoutPolicy, Key, dict[Key, SignInCounter]]:
        """The user, the organization's policy (cached) and the counters, in one read."""
        generation = self._policies.generation
        async with self.db.read() as session:
            user = await UserRepository(session, tenant=tenant).find_by_username(username)
            policy = self._policies.get(tenant.org_id)
            if policy is None:
                policy = await lockout.policy_of(session, tenant)
                self._policies.set(tenant.org_id, policy, generation)
            key = lockout.subject_key(user.id if user else None, username)
            rows = await SignInCounterRepository(session, tenant=tenant).find_many([key, ip_key])
        return user, policy, key, rows

    async def _verify(self, user: User | None, password: str) -> bool:
        stored = user.password_hash if user is not None else None
        # argon2id runs in the bounded pool; an unknown user costs the same as a real one.
        reference = stored or await asyncio.to_thread(_dummy_hash)
        valid = await self.pool.verify(reference, password)
        return bool(stored and valid)

    async def role_scopes(
        self, tenant: TenantContext, application_id: str, user_id: str
    ) -> frozenset[str]:
        key = (tenant.org_id, application_id, user_id)
        generation = self._scopes.generation
        found = self._scopes.get(key)
        if found is None:
            async with self.db.read() as session:
                if tenant.switched:
                    # A sub-organization's user through a shared application.
                    found = await organization_role_scopes(session, tenant.org_id, user_id)
                else:
                    found = await role_scopes(session, tenant.org_id, application_id, user_id)
            self._scopes.set(key, found, generation)
        return found
