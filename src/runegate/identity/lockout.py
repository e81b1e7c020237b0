"""Brute-force protection: failed password attempts lock the account, per organization.

Policy (per organization, Asgardeo's identity-governance connector `account.lock.handler`,
stored as organization attributes under the connector's property names): on by default;
after `On.Failure.Max.Attempts` (5) failures within the failure window (15 minutes) the
account is locked for `Time` minutes (15), multiplied by `login.fail.timeout.ratio` (1)
for each further lock in a row. A successful sign-in resets the count; an administrator
locks and unlocks through SCIM (`urn:scim:wso2:schema` accountLocked).

Failures of a user name that does not exist are counted and locked the same way, so no
answer tells whether a user exists. Failures are also counted per client IP address
(`RUNEGATE_LOCKOUT_FAILURES_PER_IP` in the same window); an address over it is refused
(429) until its window ends. Counters live in the database (every worker and node).
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from runegate import audit
from runegate.storage.models.lockout import SignInCounter
from runegate.storage.models.organization import Organization
from runegate.storage.repositories.lockout import Key
from runegate.storage.repositories.lockout import SignInCounterRepository
from runegate.storage.repositories.lockout import aware
from runegate.tenancy.context import TenantContext

CONNECTOR = "account.lock.handler"
ENABLE = f"{CONNECTOR}.enable"
MAX_ATTEMPTS = f"{CONNECTOR}.On.Failure.Max.Attempts"
LOCK_TIME = f"{CONNECTOR}.Time"
RATIO = f"{CONNECTOR}.login.fail.timeout.ratio"
MANAGE_INTERNALLY = f"{CONNECTOR}.notification.manageInternally"
# Runegate's own property: the window failures are counted in (Asgardeo counts until a
# success or an unlock).
WINDOW = f"{CONNECTOR}.runegate.failure.window"
USER, NAME, IP = "user", "name", "ip"
MAX_MINUTES = 525_600.0  # one year
MAX_LOCK = timedelta(minutes=MAX_MINUTES)


class BadProperty(ValueError):
    """A connector property name or value that is not accepted (the message says why)."""


def _minutes(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadProperty(f"{name} must be a number of minutes.") from None
    if not 0 < value <= MAX_MINUTES:
        raise BadProperty(f"{name} must be more than 0 and at most {MAX_MINUTES:g} minutes.")
    return value


def _attempts(name: str, raw: str) -> int:
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 1000:
        raise BadProperty(f"{name} must be a whole number from 1 to 1000.")
    return int(raw)


def _ratio(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise BadProperty(f"{name} must be a number.") from None
    if not 1 <= value <= 100:
        raise BadProperty(f"{name} must be from 1 to 100.")
    return value


def _flag(name: str, raw: str) -> bool:
    if raw.lower() not in ("true", "false"):
        raise BadProperty(f"{name} must be true or false.")
    return raw.lower() == "true"


# name -> (default value as served, parser)
PROPERTIES: dict[str, tuple[str, Any]] = {
    ENABLE: ("true", _flag),
    MAX_ATTEMPTS: ("5", _attempts),
    LOCK_TIME: ("15", _minutes),
    RATIO: ("1", _ratio),
    MANAGE_INTERNALLY: ("true", _flag),
    WINDOW: ("15", _minutes),
}


def check_property(name: str, value: str) -> None:
    """Raise `BadProperty` for an unknown property or a value out of range."""
    if name not in PROPERTIES:
        raise BadProperty(f"Unknown property {name[:100]!r} of connector {CONNECTOR}.")
    PROPERTIES[name][1](name, value)


def stored_values(attributes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Every connector property: the organization's value, else the default."""
    values = {name: default for name, (default, _parse) in PROPERTIES.items()}
    for item in attributes:
        key = str(item.get("key", ""))
        if key in values:
            values[key] = str(item.get("value", ""))
    return values


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    enabled: bool = True
    max_attempts: int = 5
    lock_minutes: float = 15.0
    ratio: float = 1.0
    window_minutes: float = 15.0

    @classmethod
    def from_attributes(cls, attributes: Iterable[Mapping[str, Any]]) -> LockoutPolicy:
        values = stored_values(attributes)
        try:
            return cls(
                enabled=_flag(ENABLE, values[ENABLE]),
                max_attempts=_attempts(MAX_ATTEMPTS, values[MAX_ATTEMPTS]),
                lock_minutes=_minutes(LOCK_TIME, values[LOCK_TIME]),
                ratio=_ratio(RATIO, values[RATIO]),
                window_minutes=_minutes(WINDOW, values[WINDOW]),
            )
        except BadProperty:
            return cls()  # a value written around the API's checks: the safe defaults

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)

    def lock_time(self, earlier_locks: int) -> timedelta:
        minutes = self.lock_minutes * self.ratio ** min(earlier_locks, 64)
        return min(timedelta(minutes=min(minutes, MAX_MINUTES)), MAX_LOCK)


async def policy_of(session: AsyncSession, tenant: TenantContext) -> LockoutPolicy:
    org = await session.get(Organization, tenant.org_id)
    return LockoutPolicy.from_attributes(org.attributes if org else [])


def subject_key(user_id: str | None, user_name: str) -> Key:
    """Real users by id; an unknown name by its lower-cased spelling."""
    return (USER, user_id) if user_id else (NAME, user_name.lower())


class LockState(NamedTuple):
    """What `is_locked` reads of a counter row (a row read as columns)."""

    admin_locked: bool
    locked_until: datetime | None


def is_locked(row: SignInCounter | LockState | None, now: datetime) -> bool:
    if row is None:
        return False
    return row.admin_locked or (row.locked_until is not None and aware(row.locked_until) > now)


def ip_wait(row: SignInCounter | None, policy: LockoutPolicy, limit: int, now: datetime) -> float:
    """Seconds until the address may try again (0: it may)."""
    if row is None or not limit or row.failures < limit:
        return 0.0
    ends = aware(row.window_start) + policy.window
    return max((ends - now).total_seconds(), 0.0)


def _count(row: SignInCounter, policy: LockoutPolicy, now: datetime) -> None:
    if aware(row.window_start) + policy.window <= now:
        row.failures, row.window_start = 0, now
    row.failures += 1


async def record_failure(
    session: AsyncSession,
    tenant: TenantContext,
    policy: LockoutPolicy,
    key: Key,
    *,
    ip: str | None,
    ip_limit: int,
    now: datetime,
) -> None:
    """Count a failed attempt for the subject and the address; lock when due."""
    repo = SignInCounterRepository(session, tenant=tenant)
    if policy.enabled:
        row = await repo.locked(key, now)
        if not is_locked(row, now):
            _count(row, policy, now)
            if row.failures >= policy.max_attempts:
                row.locked_until = now + policy.lock_time(row.lock_count)
                row.lock_count += 1
                row.failures, row.window_start = 0, now
                await audit.record(
                    session,
                    tenant=tenant,
                    action="user.lock",
                    target_type="user",
                    target_id=key[1],
                    reason="too many failed sign-in attempts",
                )
    if ip and ip_limit:
        _count(await repo.locked((IP, ip), now), policy, now)
    await session.flush()


async def locked_users(
    session: AsyncSession, tenant: TenantContext, user_ids: Iterable[str], now: datetime
) -> set[str]:
    """Which of these users are locked now (automatically or by an administrator)."""
    subjects = list(user_ids)
    if not subjects:
        return set()
    rows = await SignInCounterRepository(session, tenant=tenant).find_of_kind(USER, subjects)
    return {row.subject for row in rows if is_locked(row, now)}


async def set_locked(
    session: AsyncSession, tenant: TenantContext, user_id: str, locked: bool, now: datetime
) -> None:
    """An administrator's lock (holds until unlocked) or unlock (also clears the count
    and any automatic lock); recorded in the audit trail."""
    repo = SignInCounterRepository(session, tenant=tenant)
    if locked:
        (await repo.locked((USER, user_id), now)).admin_locked = True
        await session.flush()
    else:
        await repo.remove((USER, user_id))
    await audit.record(
        session,
        tenant=tenant,
        action="user.lock" if locked else "user.unlock",
        target_type="user",
        target_id=user_id,
        reason="by an administrator",
    )
