"""Identity governance: the `Login Attempts Security` category and its one connector,
`account.lock.handler` (identity/lockout.py), stored as organization attributes.

Ids are the unpadded base64url of the names, as Asgardeo's
(`TG9naW4gQXR0ZW1wdHMgU2VjdXJpdHk` / `YWNjb3VudC5sb2NrLmhhbmRsZXI`). A write bumps the
configuration counter, so every worker applies the new policy within a second.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from runegate.identity import lockout
from runegate.management.common.unit_of_work import config_write
from runegate.management.governance import errors
from runegate.management.governance.schemas import CategoriesRes
from runegate.management.governance.schemas import CategoryConnectorsRes
from runegate.management.governance.schemas import ConnectorRes
from runegate.management.governance.schemas import PropertyReq
from runegate.management.governance.schemas import PropertyRes
from runegate.state import AppState
from runegate.storage.models.organization import Organization
from runegate.tenancy.context import TenantContext


def encode_id(name: str) -> str:
    return base64.urlsafe_b64encode(name.encode()).rstrip(b"=").decode()


CATEGORY_NAME = "Login Attempts Security"
CATEGORY_ID = encode_id(CATEGORY_NAME)
CONNECTOR_ID = encode_id(lockout.CONNECTOR)
# name -> (display name, description)
TEXTS = {
    lockout.ENABLE: ("Lock user accounts", "Lock user accounts on failed login attempts."),
    lockout.MAX_ATTEMPTS: (
        "Maximum failed login attempts",
        "Number of failed login attempts allowed until the account is locked.",
    ),
    lockout.LOCK_TIME: (
        "Initial account lock duration",
        "Minutes the account stays locked; it is unlocked automatically afterwards.",
    ),
    lockout.RATIO: (
        "Account lock duration increment factor",
        "Each further lock without a successful sign-in lasts this many times longer.",
    ),
    lockout.MANAGE_INTERNALLY: (
        "Manage notification sending internally",
        "Accepted for compatibility; Runegate sends no lock notifications.",
    ),
    lockout.WINDOW: (
        "Failed login window (Runegate)",
        "Minutes within which failed attempts are counted toward a lock.",
    ),
}


def base_path(tenant: TenantContext) -> str:
    switched = "/o" if tenant.org_id != tenant.root_id else ""
    return f"/t/{tenant.root_name}{switched}/api/server/v1/identity-governance"


def check_category(category_id: str) -> None:
    if category_id != CATEGORY_ID:
        raise errors.CATEGORY_NOT_FOUND.error(id=category_id[:100])


def check_connector(category_id: str, connector_id: str) -> None:
    check_category(category_id)
    if connector_id != CONNECTOR_ID:
        raise errors.CONNECTOR_NOT_FOUND.error(id=connector_id[:100])


def categories(tenant: TenantContext) -> list[CategoriesRes]:
    path = f"{base_path(tenant)}/{CATEGORY_ID}"
    link = CategoryConnectorsRes(id=CONNECTOR_ID, self=f"{path}/connectors/{CONNECTOR_ID}")
    return [CategoriesRes(id=CATEGORY_ID, name=CATEGORY_NAME, self=path, connectors=[link])]


async def _org(session: Any, tenant: TenantContext) -> Organization:
    org = await session.get(Organization, tenant.org_id)
    if org is None:  # the tenant middleware resolved it: gone since
        raise errors.CATEGORY_NOT_FOUND.error(id=CATEGORY_ID)
    return org  # type: ignore[no-any-return]


async def connector(state: AppState, tenant: TenantContext) -> ConnectorRes:
    async with state.db.read() as session:
        values = lockout.stored_values((await _org(session, tenant)).attributes)
    properties = [
        PropertyRes(name=name, value=value, displayName=TEXTS[name][0], description=TEXTS[name][1])
        for name, value in values.items()
    ]
    return ConnectorRes(
        id=CONNECTOR_ID,
        name=lockout.CONNECTOR,
        category=CATEGORY_NAME,
        friendlyName="Login Attempts",
        properties=properties,
    )


def _checked(properties: Iterable[PropertyReq]) -> dict[str, str]:
    found: dict[str, str] = {}
    for prop in properties:
        try:
            lockout.check_property(prop.name, prop.value)
        except lockout.BadProperty as exc:
            raise errors.INVALID_PROPERTY.error(reason=str(exc)) from exc
        found[prop.name] = (
            prop.value.lower() if prop.value.lower() in ("true", "false") else prop.value
        )
    return found


async def update(state: AppState, tenant: TenantContext, properties: list[PropertyReq]) -> None:
    """Set properties (all checked before anything is written)."""
    await _write(state, tenant, set_values=_checked(properties), remove=())


async def revert(state: AppState, tenant: TenantContext, names: list[str]) -> None:
    """Back to the defaults for these properties."""
    for name in names:
        if name not in lockout.PROPERTIES:
            reason = f"Unknown property {name[:100]!r} of connector {lockout.CONNECTOR}."
            raise errors.INVALID_PROPERTY.error(reason=reason)
    await _write(state, tenant, set_values={}, remove=names)


async def _write(
    state: AppState, tenant: TenantContext, *, set_values: dict[str, str], remove: Iterable[str]
) -> None:
    dropped = set(set_values) | set(remove)
    async with config_write(state) as session:
        org = await _org(session, tenant)
        kept = [a for a in org.attributes if str(a.get("key", "")) not in dropped]
        org.attributes = kept + [{"key": k, "value": v} for k, v in set_values.items()]
