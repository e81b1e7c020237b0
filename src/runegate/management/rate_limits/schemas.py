"""Wire models of the rate-limit API: requests per minute per endpoint family and key."""

from __future__ import annotations

from pydantic import Field

from runegate.management.common.schemas import StrictModel
from runegate.management.common.schemas import WireModel

MAX_LIMIT = 1_000_000
Limit = Field(default=None, ge=0, le=MAX_LIMIT)


class RateLimitValues(StrictModel):
    """Each value is requests per minute (bursts up to the same number); 0 disables that
    limit for the organization; an absent value uses the deployment's default."""

    tokenPerClient: int | None = Limit
    tokenPerIp: int | None = Limit
    signinPerClient: int | None = Limit
    signinPerIp: int | None = Limit
    scimPerClient: int | None = Limit
    scimPerIp: int | None = Limit


class RateLimitsUpdate(StrictModel):
    overrides: RateLimitValues


class RateLimits(WireModel):
    enabled: bool
    defaults: dict[str, int]
    overrides: dict[str, int]
    effective: dict[str, int]
