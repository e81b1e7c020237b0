"""What an engine function returns: a status, SCIM JSON body and headers."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

from runegate.identity.errors import PreconditionFailed
from runegate.scim.mapping import etag

LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


@dataclass
class ScimResult:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def resource_result(status: int, body: dict[str, Any], version: int) -> ScimResult:
    headers = {"ETag": etag(version)}
    if status == 201:
        headers["Location"] = str(body.get("meta", {}).get("location", ""))
    return ScimResult(status, body, headers)


def list_result(total: int, start_index: int, resources: list[Any]) -> ScimResult:
    body = {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }
    return ScimResult(200, body)


def cursor_list_result(total: int, resources: list[Any], cursors: dict[str, str]) -> ScimResult:
    """RFC 9865 §2: a page by cursor has `nextCursor` / `previousCursor`, no startIndex."""
    body = {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "itemsPerPage": len(resources),
        **cursors,
        "Resources": resources,
    }
    return ScimResult(200, body)


def parse_version(header: str | None) -> int | None:
    """The version an If-Match / If-None-Match header names (`W/"3"`, `"3"`), or None
    for `*` and absent headers. Unparseable values never match."""
    if header is None or header.strip() == "*":
        return None
    value = header.strip().split(",")[0].strip()
    value = value.removeprefix("W/").strip('"')
    try:
        return int(value)
    except ValueError:
        return -1


def check_if_match(header: str | None, version: int) -> None:
    """RFC 7644 §3.14 / RFC 7232 §3.1."""
    wanted = parse_version(header)
    if wanted is not None and wanted != version:
        raise PreconditionFailed()
