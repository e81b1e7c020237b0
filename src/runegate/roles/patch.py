"""PATCH for Roles v2 (RFC 7644 §3.5.2): add, replace and remove on `displayName`,
`permissions`, `users`, `groups`, and `users[value eq "..."]` / `groups[...]` /
`permissions[...]` filters; an operation without a path takes an object of those."""

from __future__ import annotations

import re
from typing import Any

from runegate.roles.service import RoleInput
from runegate.roles.wire import _values
from runegate.scim.errors import InvalidPath
from runegate.scim.errors import InvalidSyntax
from runegate.scim.errors import InvalidValue
from runegate.scim.errors import NoTarget

PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LISTS = ("permissions", "users", "groups")
_FILTERED = re.compile(r'^(permissions|users|groups)\[value eq "([^"]+)"\]$', re.IGNORECASE)


def _set_name(data: RoleInput, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValue("displayName must be a non-empty string.")
    data.display_name = value


def _list_op(data: RoleInput, op: str, name: str, value: Any) -> None:
    if op == "remove" and value is None:
        setattr(data, name, [])
        return
    values = _values({name: value if isinstance(value, list) else [value]}, name)
    current: list[str] = getattr(data, name)
    if op == "add":
        setattr(data, name, list(dict.fromkeys([*current, *values])))
    elif op == "replace":
        setattr(data, name, list(dict.fromkeys(values)))
    else:
        setattr(data, name, [v for v in current if v not in values])


def _without_path(data: RoleInput, op: str, value: Any) -> None:
    if op == "remove" or not isinstance(value, dict):
        raise InvalidValue("An operation without a path needs an object value (add, replace).")
    for key, item in value.items():
        if key == "displayName":
            _set_name(data, item)
        elif key in LISTS:
            _list_op(data, op, key, item)
        else:
            raise InvalidPath(f"The attribute {key[:60]!r} cannot be patched.")


def _filtered(data: RoleInput, op: str, path: str) -> bool:
    match = _FILTERED.match(path)
    if match is None:
        return False
    if op != "remove":
        raise InvalidPath("A value filter can only be used to remove.")
    name, target = match.group(1).lower(), match.group(2)
    current: list[str] = getattr(data, name)
    if target not in current:
        raise NoTarget(f"No {name} value {target[:64]!r} on the role.")
    setattr(data, name, [v for v in current if v != target])
    return True


def _apply(data: RoleInput, operation: Any) -> None:
    if not isinstance(operation, dict):
        raise InvalidSyntax("Each operation must be an object.")
    op = str(operation.get("op", "")).lower()
    if op not in ("add", "replace", "remove"):
        raise InvalidValue("op must be add, replace or remove.")
    path, value = operation.get("path"), operation.get("value")
    if path is None:
        return _without_path(data, op, value)
    if not isinstance(path, str):
        raise InvalidPath("path must be a string.")
    if _filtered(data, op, path):
        return None
    if path == "displayName" and op != "remove":
        return _set_name(data, value)
    if path in LISTS:
        return _list_op(data, op, path, value)
    raise InvalidPath(f"The path {path[:60]!r} is not supported on roles.")


def apply_patch(data: RoleInput, body: Any) -> RoleInput:
    if not isinstance(body, dict) or PATCH_SCHEMA not in (body.get("schemas") or []):
        raise InvalidSyntax(f"A PATCH body must list the schema {PATCH_SCHEMA}.")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise InvalidSyntax("Operations must be a non-empty list.")
    for operation in operations:
        _apply(data, operation)
    return data
