"""Process-wide state of one app instance: settings, database, caches."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.config import Settings
from runegate.http.auth import RejectAllVerifier
from runegate.http.auth import TokenVerifier
from runegate.storage.db import Database
from runegate.storage.repositories.organizations import OrganizationRepository
from runegate.tenancy.context import TenantContext

if TYPE_CHECKING:
    from runegate.http.direct import DirectTable
    from runegate.ratelimit.limiter import Limiter
    from runegate.redis_link import RedisLink


@dataclass
class AppState:
    settings: Settings
    db: Database
    caches: CacheRegistry = field(default_factory=CacheRegistry)
    redis: RedisLink | None = None  # set while serving when RUNEGATE_REDIS_URL is configured
    limiter: Limiter | None = None  # rate limits (runegate.ratelimit), set by create_app

    def __post_init__(self) -> None:
        self.tenants: Cache[TenantContext] = Cache(self.caches, "tenants")
        # Replaced by the token service when it is mounted (runegate.oauth).
        self.token_verifier: TokenVerifier = RejectAllVerifier()
        # Hot routes served without FastAPI's router (runegate.http.direct).
        self.direct_routes: DirectTable = {}

    async def find_tenant(self, name: str) -> TenantContext | None:
        tenant = self.tenants.get(name)
        if tenant is not None:
            return tenant
        async with self.db.read() as session:
            org = await OrganizationRepository(session).find_root(name)
        if org is None or org.status != "ACTIVE":
            return None
        tenant = TenantContext(
            root_id=org.id,
            root_name=org.name,
            org_id=org.id,
            base_url=self.settings.base_url,
            rate_limits=tuple(sorted((org.rate_limits or {}).items())),
        )
        self.tenants.set(name, tenant)
        return tenant
