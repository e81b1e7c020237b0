"""/Bulk (RFC 7644 §3.7): operations on Users and Groups in one request.

Each operation runs in its own unit of work, in order. `bulkId:` references in paths
and data resolve to the ids of resources created earlier in the request (§3.7.2).
`failOnErrors` stops after that many errors (§3.7.3). Over `maxOperations` is 413;
over `maxPayloadSize` is refused by the body limit (413). Each operation also needs
the scope of its own operation.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.errors import Forbidden
from runegate.errors import IdpError
from runegate.http.auth import Access
from runegate.http.errors import SCIM_ERROR_SCHEMA
from runegate.identity.passwords import prehashed
from runegate.scim import groups
from runegate.scim import users
from runegate.scim.discovery import MAX_OPERATIONS
from runegate.scim.errors import InvalidSyntax
from runegate.scim.errors import InvalidValue
from runegate.scim.errors import ScimError
from runegate.scim.errors import TooLarge
from runegate.scim.query import ListQuery
from runegate.scim.result import ScimResult
from runegate.storage.db import Database

BULK_REQUEST = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
BULK_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
_REF = re.compile(r"^bulkId:(.+)$")
_SCOPES = {
    ("Users", "POST"): "internal_user_mgt_create",
    ("Users", "PUT"): "internal_user_mgt_update",
    ("Users", "PATCH"): "internal_user_mgt_update",
    ("Users", "DELETE"): "internal_user_mgt_delete",
    ("Groups", "POST"): "internal_group_mgt_create",
    ("Groups", "PUT"): "internal_group_mgt_update",
    ("Groups", "PATCH"): "internal_group_mgt_update",
    ("Groups", "DELETE"): "internal_group_mgt_delete",
}


@dataclass
class BulkContext:
    db: Database
    access: Access
    ids: dict[str, str] = field(default_factory=dict)  # bulkId -> created id


def _resolve(value: Any, ids: dict[str, str]) -> Any:
    """Replace `bulkId:x` strings (anywhere in the data) with the created ids."""
    if isinstance(value, str):
        match = _REF.match(value)
        if match is None:
            return value
        if match.group(1) not in ids:
            raise InvalidValue(f"bulkId {match.group(1)[:60]!r} is not defined (yet).")
        return ids[match.group(1)]
    if isinstance(value, list):
        return [_resolve(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _resolve(item, ids) for key, item in value.items()}
    return value


def _operations(body: Any) -> tuple[list[dict[str, Any]], int | None]:
    if not isinstance(body, dict) or BULK_REQUEST not in (body.get("schemas") or []):
        raise InvalidSyntax(f"A bulk request must list the schema {BULK_REQUEST}.")
    ops = body.get("Operations")
    if not isinstance(ops, list) or not all(isinstance(op, dict) for op in ops):
        raise InvalidSyntax("Operations must be a list of objects.")
    if len(ops) > MAX_OPERATIONS:
        raise TooLarge(f"A bulk request may hold at most {MAX_OPERATIONS} operations.")
    fail_on = body.get("failOnErrors")
    if fail_on is not None and (not isinstance(fail_on, int) or fail_on < 1):
        raise InvalidValue("failOnErrors must be a positive integer.")
    return ops, fail_on


Runner = Callable[[AsyncSession, str | None, Any], Awaitable[ScimResult]]


def _runner(ctx: BulkContext, kind: str, method: str, version: str | None) -> Runner:
    tenant, query = ctx.access.tenant, ListQuery()
    module: Any = users if kind == "Users" else groups

    async def run(session: AsyncSession, rid: str | None, data: Any) -> ScimResult:
        if method == "POST":
            return await module.create(session, tenant, data, query)  # type: ignore[no-any-return]
        if rid is None:
            raise InvalidValue(f"{method} needs a path /{kind}/<id>.")
        if method == "PUT":
            return await module.replace(session, tenant, rid, data, query, version)  # type: ignore[no-any-return]
        if method == "PATCH":
            return await module.patch(session, tenant, rid, data, query, version)  # type: ignore[no-any-return]
        return await module.delete(session, tenant, rid, version)  # type: ignore[no-any-return]

    return run


def _target(op: dict[str, Any], ctx: BulkContext) -> tuple[str, str, str | None]:
    method = str(op.get("method", "")).upper()
    path = op.get("path")
    if not isinstance(path, str):
        raise InvalidValue("Each operation needs a path.")
    parts = [p for p in path.split("/") if p]
    if not parts or parts[0] not in ("Users", "Groups") or len(parts) > 2:
        raise InvalidValue("path must be /Users, /Groups or /<type>/<id>.")
    if (parts[0], method) not in _SCOPES or (method == "POST") != (len(parts) == 1):
        raise InvalidValue(f"Unsupported operation {method[:10]} {path[:80]}.")
    if _SCOPES[(parts[0], method)] not in ctx.access.token.scopes:
        raise Forbidden(f"The operation requires the scope {_SCOPES[(parts[0], method)]}.")
    rid = _resolve(parts[1], ctx.ids) if len(parts) == 2 else None
    return parts[0], method, rid


async def _one(ctx: BulkContext, op: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"method": str(op.get("method", "")).upper()}
    if op.get("bulkId") is not None:
        out["bulkId"] = op["bulkId"]
    try:
        kind, method, rid = _target(op, ctx)
        if method == "POST" and not op.get("bulkId"):
            raise InvalidValue("POST operations need a bulkId.")
        data = _resolve(op.get("data"), ctx.ids)
        secrets = users.passwords_in(data) if kind == "Users" else []
        async with prehashed(secrets), ctx.db.write() as session:
            result = await _runner(ctx, kind, method, op.get("version"))(session, rid, data)
    except IdpError as exc:
        out["status"] = str(exc.status)
        out["response"] = _error(exc)
        return out
    out["status"] = str(result.status)
    if result.body is not None:
        location = result.body.get("meta", {}).get("location")
        out.update(location=location, version=result.headers.get("ETag"))
        if method == "POST" and op.get("bulkId"):
            ctx.ids[str(op["bulkId"])] = str(result.body["id"])
    return out


def _error(exc: IdpError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "schemas": [SCIM_ERROR_SCHEMA],
        "status": str(exc.status),
        "detail": exc.description,
    }
    if isinstance(exc, ScimError) and exc.scim_type:
        body["scimType"] = exc.scim_type
    elif exc.status == 409:
        body["scimType"] = "uniqueness"
    return body


async def run_bulk(ctx: BulkContext, body: Any) -> ScimResult:
    ops, fail_on = _operations(body)
    results: list[dict[str, Any]] = []
    failures = 0
    for op in ops:
        outcome = await _one(ctx, op)
        results.append(outcome)
        failures += int(outcome["status"]) >= 400
        if fail_on is not None and failures >= fail_on:
            break
    return ScimResult(200, {"schemas": [BULK_RESPONSE], "Operations": results})
