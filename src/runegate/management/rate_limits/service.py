"""Read and replace an organization's rate-limit overrides. A change bumps the change
counter, so every worker resolves the organization (and its limits) anew within a second."""

from __future__ import annotations

from runegate import audit
from runegate.management.common.unit_of_work import config_write
from runegate.management.rate_limits.schemas import RateLimits
from runegate.management.rate_limits.schemas import RateLimitValues
from runegate.ratelimit.limiter import SETTINGS
from runegate.state import AppState
from runegate.storage.repositories.organizations import OrganizationRepository
from runegate.tenancy.context import TenantContext


def wire_name(name: str) -> str:
    """`token_per_client` -> `tokenPerClient`."""
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


WIRE = {name: wire_name(name) for name in SETTINGS}


def view(state: AppState, stored: dict[str, int]) -> RateLimits:
    limiter = state.limiter
    defaults = limiter.defaults() if limiter is not None else {}
    effective = {**defaults, **{k: v for k, v in stored.items() if k in defaults}}
    return RateLimits(
        enabled=bool(defaults),
        defaults={WIRE[k]: v for k, v in defaults.items()},
        overrides={WIRE[k]: v for k, v in stored.items() if k in WIRE},
        effective={WIRE[k]: v for k, v in effective.items()},
    )


async def get_rate_limits(*, state: AppState, tenant: TenantContext) -> RateLimits:
    async with state.db.read() as session:
        org = await OrganizationRepository(session).get_in_root(tenant.root_id, tenant.root_id)
        return view(state, dict(org.rate_limits or {}))


async def put_rate_limits(
    *, state: AppState, tenant: TenantContext, values: RateLimitValues
) -> RateLimits:
    wire = values.model_dump(exclude_none=True)
    stored = {name: wire[WIRE[name]] for name in SETTINGS if WIRE[name] in wire}
    async with config_write(state) as session:
        org = await OrganizationRepository(session).get_in_root(tenant.root_id, tenant.root_id)
        org.rate_limits = stored
        await audit.record(
            session,
            tenant=tenant,
            action="organization.rate_limits.update",
            target_type="organization",
            target_id=org.id,
        )
    return view(state, stored)
