"""Roles v2 wire format: role rows to SCIM role documents and documents to `RoleInput`.

Schema `urn:ietf:params:scim:schemas:extension:2.0:Role` (Asgardeo roles-v2); the
document shape follows RFC 7643 §3 (id, meta) with multi-valued `{value, display, $ref}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runegate.errors import InvalidInput
from runegate.roles.service import APPLICATION
from runegate.roles.service import ORGANIZATION
from runegate.roles.service import RoleInput
from runegate.scim.mapping import iso_time
from runegate.storage.models.role import Role

ROLE_SCHEMA = "urn:ietf:params:scim:schemas:extension:2.0:Role"


@dataclass(frozen=True, slots=True)
class RoleLinks:
    permissions: list[tuple[str, str]]
    users: list[tuple[str, str]]
    groups: list[tuple[str, str]]
    audience_display: str


def _refs(values: list[tuple[str, str]], base: str, kind: str) -> list[dict[str, str]]:
    return [{"value": v, "display": d, "$ref": f"{base}/{kind}/{v}"} for v, d in values]


def role_dict(role: Role, links: RoleLinks, base: str) -> dict[str, Any]:
    audience = {
        "value": role.audience_value,
        "display": links.audience_display,
        "type": role.audience_type,
    }
    apps = []
    if role.audience_type == APPLICATION:
        apps = [{"value": role.audience_value, "display": links.audience_display}]
    location = f"{base}/v2/Roles/{role.id}"
    return {
        "schemas": [ROLE_SCHEMA],
        "id": role.id,
        "displayName": role.display_name,
        "audience": audience,
        "permissions": [{"value": v, "display": d} for v, d in links.permissions],
        "users": _refs(links.users, base, "Users"),
        "groups": _refs(links.groups, base, "Groups"),
        "associatedApplications": apps,
        "properties": [{"name": "isSharedRole", "value": "false"}],
        "meta": {
            "resourceType": "Role",
            "created": iso_time(role.created_at),
            "lastModified": iso_time(role.updated_at),
            "location": location,
            "version": f'W/"{role.version}"',
        },
    }


def _values(body: dict[str, Any], name: str) -> list[str]:
    items = body.get(name)
    if items is None:
        return []
    if not isinstance(items, list):
        raise InvalidInput(f"{name} must be a list.")
    found = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else item
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"Each of {name} needs a string value.")
        found.append(value)
    return found


def _audience(body: dict[str, Any]) -> tuple[str, str | None]:
    audience = body.get("audience")
    if audience is None:
        return ORGANIZATION, None
    if not isinstance(audience, dict):
        raise InvalidInput("audience must be an object {value, type}.")
    kind = str(audience.get("type") or ORGANIZATION).lower()
    if kind not in (ORGANIZATION, APPLICATION):
        raise InvalidInput("audience.type must be 'organization' or 'application'.")
    value = audience.get("value")
    if value is not None and not isinstance(value, str):
        raise InvalidInput("audience.value must be a string.")
    return kind, value or None


def role_input(body: Any) -> RoleInput:
    """A create or replace body (read-only attributes are ignored)."""
    if not isinstance(body, dict):
        raise InvalidInput("The body must be a role object.")
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("displayName is required.")
    if len(name) > 255:
        raise InvalidInput("displayName has at most 255 characters.")
    kind, value = _audience(body)
    return RoleInput(
        display_name=name,
        audience_type=kind,
        audience_value=value,
        permissions=_values(body, "permissions"),
        users=_values(body, "users"),
        groups=_values(body, "groups"),
    )


def input_of(role: Role, links: RoleLinks) -> RoleInput:
    """The current state of a role, as an input to patch."""
    return RoleInput(
        display_name=role.display_name,
        audience_type=role.audience_type,
        audience_value=role.audience_value,
        permissions=[v for v, _ in links.permissions],
        users=[v for v, _ in links.users],
        groups=[v for v, _ in links.groups],
    )
