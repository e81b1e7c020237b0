"""The limiter: rules per endpoint family, keys per organization and client or IP.

Defaults (requests per minute, bursts up to the same number; 0 disables a limit) are
settings (`RUNEGATE_RATE_LIMIT_*`, docs/configuration.md); an organization may override
any of them (`organization.rate_limits`, managed through `/api/server/v1/rate-limits`).
Keys always include the organization, so one organization's traffic never uses up
another's budget.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Literal

from runegate import errors
from runegate.ratelimit.buckets import TokenBuckets
from runegate.ratelimit.buckets import retry_after
from runegate.ratelimit.shared import SharedCounters

if TYPE_CHECKING:
    from runegate.config import Settings
    from runegate.redis_link import RedisLink

Family = Literal["token", "signin", "scim"]
Kind = Literal["client", "ip"]
MAX_IDENT = 200
# The names an organization can override: `{family}_per_{kind}`.
SETTINGS = tuple(f"{f}_per_{k}" for f in ("token", "signin", "scim") for k in ("client", "ip"))
Overrides = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Rule:
    per_client: int
    per_ip: int


class Limiter:
    def __init__(self, rules: dict[Family, Rule], link: Callable[[], RedisLink | None]) -> None:
        self.rules = rules
        self.local = TokenBuckets()
        self.shared = SharedCounters(link)

    @classmethod
    def from_settings(cls, settings: Settings, link: Callable[[], RedisLink | None]) -> Limiter:
        s = settings
        rules: dict[Family, Rule] = {}
        if s.rate_limits_enabled:
            rules["token"] = Rule(s.rate_limit_token_per_client, s.rate_limit_token_per_ip)
            rules["signin"] = Rule(s.rate_limit_signin_per_client, s.rate_limit_signin_per_ip)
            rules["scim"] = Rule(s.rate_limit_scim_per_client, s.rate_limit_scim_per_ip)
        return cls(rules, link)

    def defaults(self) -> dict[str, int]:
        """The deployment's limits by override name (empty when limits are off)."""
        return {
            f"{family}_per_{kind}": rule.per_client if kind == "client" else rule.per_ip
            for family, rule in self.rules.items()
            for kind in ("client", "ip")
        }

    def limit(self, family: Family, kind: Kind, overrides: Overrides = ()) -> int:
        rule = self.rules.get(family)
        if rule is None:
            return 0
        name = f"{family}_per_{kind}"
        for key, value in overrides:
            if key == name:
                return value
        return rule.per_client if kind == "client" else rule.per_ip

    def wait(
        self, family: Family, kind: Kind, org: str, ident: str, overrides: Overrides = ()
    ) -> float:
        """0.0 when the request may go on, else the seconds to wait."""
        limit = self.limit(family, kind, overrides)
        if not limit:
            return 0.0
        key = f"{family}:{kind}:{org}:{ident[:MAX_IDENT]}"
        seconds = self.local.take(key, limit)
        if seconds or not self.shared.active():
            return seconds
        return self.shared.hit(key, limit, time.time())

    def enforce(
        self, family: Family, kind: Kind, org: str, ident: str, overrides: Overrides = ()
    ) -> None:
        """Raise 429 with `Retry-After` (RFC 6585 §4) when over the limit."""
        seconds = self.wait(family, kind, org, ident, overrides)
        if seconds:
            raise too_many(seconds)


def too_many(seconds: float) -> errors.LimitExceeded:
    after = retry_after(seconds)
    return errors.LimitExceeded(
        f"Too many requests; retry after {after} seconds.",
        headers={"Retry-After": after},
        code="RG-42900",
        message="Too many requests",
    )
