"""The password grant's user store: credentials and the scopes of the user's roles.

The scopes of (organization, application, user) are cached in the worker; every role,
assignment or group membership change bumps the `roles` change counter, which clears
this cache in the worker that wrote at commit and in every other worker at its next
poll (within a second; `cache.py`). Configuration changes (applications, their
associated roles, API scopes) clear it too.
"""

from __future__ import annotations

import asyncio
from functools import lru_cache

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.crypto.hashing import hash_password
from runegate.errors import InvalidGrant
from runegate.identity import mfa
from runegate.identity.passwords import verify_password_async
from runegate.identity.users import PENDING_INVITATION
from runegate.roles.resolve import organization_role_scopes
from runegate.roles.resolve import role_scopes
from runegate.storage.changes import ROLES
from runegate.storage.db import Database
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext

# RFC 6749 §5.2 / STYLE §5: one generic description; the reason goes to `detail`.
BAD_CREDENTIALS = "The user credentials are invalid."
MAX_CACHED_USERS = 50_000


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so both cases cost the same."""
    return hash_password("runegate-no-such-user")


class RoleUserStore:
    def __init__(self, db: Database, caches: CacheRegistry) -> None:
        self.db = db
        self._scopes: Cache[frozenset[str]] = Cache(
            caches, "role_scopes", MAX_CACHED_USERS, channel=ROLES
        )

    async def authenticate(self, tenant: TenantContext, username: str, password: str) -> str:
        async with self.db.read() as session:
            user = await UserRepository(session, tenant=tenant).find_by_username(username)
        stored = user.password_hash if user is not None else None
        # argon2id hashing and verification run in worker threads (identity/passwords.py).
        reference = stored or await asyncio.to_thread(_dummy_hash)
        valid = await verify_password_async(reference, password)
        if user is None or not stored or not valid:
            raise InvalidGrant(BAD_CREDENTIALS, detail="unknown user or wrong password")
        if not user.active or user.attributes.get(PENDING_INVITATION):
            raise InvalidGrant(BAD_CREDENTIALS, detail="user disabled or pending invitation")
        return user.id

    async def needs_second_factor(self, tenant: TenantContext, user_id: str) -> bool:
        async with self.db.read() as session:
            return await mfa.is_enrolled(session, tenant, user_id)

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
