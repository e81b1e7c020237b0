"""The limiter: rules per endpoint family, keys per organization and client or IP.

Defaults (requests per minute, bursts up to the same number; 0 disables a limit) are
settings (`RUNEGATE_RATE_LIMIT_*`, docs/configuration.md). Keys always include the
organization, so one organization's traffic never uses up another's budget.
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

    def wait(self, family: Family, kind: Kind, org: str, ident: str) -> float:
        """0.0 when the request may go on, else the seconds to wait."""
        rule = self.rules.get(family)
        limit = (rule.per_client if kind == "client" else rule.per_ip) if rule else 0
        if not limit:
            return 0.0
        key = f"{family}:{kind}:{org}:{ident[:MAX_IDENT]}"
        seconds = self.local.take(key, limit)
        if seconds or not self.shared.active():
            return seconds
        return self.shared.hit(key, limit, time.time())

    def enforce(self, family: Family, kind: Kind, org: str, ident: str) -> None:
        """Raise 429 with `Retry-After` (RFC 6585 §4) when over the limit."""
        seconds = self.wait(family, kind, org, ident)
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
