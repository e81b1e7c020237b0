"""Cursor paging for /Users and /Groups (RFC 9865), served as keyset pages.

A cursor is the position of one row of a listing, its sort key and id, so the next page
starts right after it whatever its depth (`TenantRepository.seek`): page 10,000 costs
what page 1 costs, where `startIndex` makes the database walk every entry before it.
To the client a cursor is opaque (RFC 9865 §2); here it is a small JSON sealed with an
HMAC under the server secret (crypto/sealed.py), valid for CURSOR_TIMEOUT seconds, and
bound to its organization and query: a digest of the organization, the resource type,
`filter`, `sortBy`, `sortOrder` and `domain` must match the request it comes back with.
`count` and `attributes` may change from page to page. Anything else is `invalidCursor`
(one message for forged, malformed and foreign cursors, RFC 9865 §5), an old one
`expiredCursor`.

Order: the sort key (sortBy, userName or displayName by default), then the id in the
same direction; resources without a value for sortBy come last, ordered by id.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from runegate.crypto.sealed import SealError
from runegate.crypto.sealed import SealExpired
from runegate.crypto.sealed import open_sealed
from runegate.crypto.sealed import seal
from runegate.scim.columns import ResourceColumns
from runegate.scim.errors import ExpiredCursor
from runegate.scim.errors import InvalidCursor
from runegate.scim.filter import compile_filter
from runegate.scim.filter import dialect_of
from runegate.scim.query import ListQuery
from runegate.scim.query import sort_key
from runegate.scim.result import ScimResult
from runegate.scim.result import cursor_list_result
from runegate.scim.result import list_result
from runegate.storage.repositories.base import SeekOrder
from runegate.storage.repositories.base import SeekPage
from runegate.storage.repositories.base import SeekPosition
from runegate.storage.repositories.base import TenantRepository
from runegate.tenancy.context import TenantContext

CURSOR_TIMEOUT = 3600  # seconds a cursor stays valid (advertised as cursorTimeout)
PURPOSE = "scim-cursor"
REFUSED = "The cursor is not valid for this query; start again with an empty cursor."

Seeker = Callable[..., Awaitable[SeekPage[Any]]]


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor: the row to start after (None: the start) and the direction."""

    position: SeekPosition | None = None
    backward: bool = False


def scope_of(org_id: str, kind: str, query: ListQuery) -> str:
    """What a cursor is bound to: organization, resource type (`kind`: its core schema
    URN) and the query's row set."""
    parts = [org_id, kind, query.filter, query.sort_by, query.descending, query.domain]
    digest = hashlib.sha256(orjson.dumps(parts)).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _dump_key(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"sort key of type {type(value).__name__}")


def _load_key(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) != {"t"} or not isinstance(value["t"], str):
            raise ValueError("not a timestamp")
        return datetime.fromisoformat(value["t"])
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("not a sort key")


def encode(
    keys: tuple[bytes, ...], scope: str, position: SeekPosition | None, backward: bool
) -> str:
    place = None
    if position is not None:
        place = [position.id, _dump_key(position.key), position.null]
    payload = {"s": scope, "b": backward, "p": place}
    return seal(keys, PURPOSE, payload, lifetime=CURSOR_TIMEOUT)


def decode(keys: tuple[bytes, ...], scope: str, text: str) -> Cursor:
    """The cursor a request carries ("" is the first page), checked strictly."""
    if text == "":
        return Cursor()
    try:
        payload = open_sealed(keys, PURPOSE, text)
    except SealExpired as exc:
        raise ExpiredCursor(
            f"The cursor has expired (cursorTimeout is {CURSOR_TIMEOUT} s); "
            "start again with an empty cursor."
        ) from exc
    except SealError as exc:
        raise InvalidCursor(REFUSED) from exc
    try:
        return _cursor(payload, scope)
    except (ValueError, TypeError) as exc:
        raise InvalidCursor(REFUSED) from exc


def _cursor(payload: dict[str, Any], scope: str) -> Cursor:
    if payload.get("s") != scope or not isinstance(payload.get("b"), bool):
        raise ValueError("another query")
    place = payload.get("p")
    if place is None:
        return Cursor(None, payload["b"])
    if not isinstance(place, list) or len(place) != 3:
        raise ValueError("malformed position")
    row_id, key, null = place
    if not isinstance(row_id, str) or not isinstance(null, bool):
        raise ValueError("malformed position")
    return Cursor(SeekPosition(row_id, _load_key(key), null), payload["b"])


def nullable(key: Any) -> bool:
    """Whether a sort expression may be NULL (only NOT NULL columns are known not to)."""
    column = getattr(key, "expression", key)
    return getattr(column, "nullable", True) is not False


@dataclass
class CursorPage:
    rows: list[Any]
    total: int
    links: dict[str, str]  # nextCursor / previousCursor


async def cursor_page(
    seek: Seeker,
    *,
    keys: tuple[bytes, ...],
    scope: str,
    query: ListQuery,
    order: SeekOrder,
    where: Any,
) -> CursorPage:
    """One page by cursor and the cursors around it (RFC 9865 §2): `nextCursor` unless
    this is the last page, `previousCursor` unless it is the first."""
    here = decode(keys, scope, query.cursor or "")
    page = await seek(
        where=where, order=order, after=here.position, backward=here.backward, limit=query.count
    )

    def cursor(position: SeekPosition | None, backward: bool) -> str:
        return encode(keys, scope, position, backward)

    links: dict[str, str] = {}
    if not page.rows:
        # count=0, or nothing left this way: the same position, if rows lie beyond it.
        if page.more:
            name = "previousCursor" if here.backward else "nextCursor"
            links[name] = cursor(here.position, here.backward)
        elif here.position is not None:
            # Walked off an end: the other way back is the whole listing from that end.
            name = "nextCursor" if here.backward else "previousCursor"
            links[name] = cursor(None, not here.backward)
        return CursorPage([], page.total, links)
    first, last = page.positions[0], page.positions[-1]
    if page.more if not here.backward else here.position is not None:
        links["nextCursor"] = cursor(last, False)
    if page.more if here.backward else here.position is not None:
        links["previousCursor"] = cursor(first, True)
    return CursorPage(page.rows, page.total, links)


async def page_rows(
    repository: TenantRepository[Any],
    tenant: TenantContext,
    query: ListQuery,
    model: Any,
    columns: ResourceColumns,
    keys: tuple[bytes, ...],
) -> tuple[int, Sequence[Any], dict[str, str] | None]:
    """A listing's page of rows and total, by index (startIndex, RFC 7644 §3.4.2.4) or by
    cursor (RFC 9865); the cursors around it in the second case (None in the first)."""
    dialect = dialect_of(repository.session)
    where = compile_filter(query.filter, model, columns, dialect) if query.filter else None
    key = sort_key(query, model, columns, columns.default_sort)
    if query.cursor is None:
        order = [key.desc() if query.descending else key.asc(), repository.model.id.asc()]
        if query.foreign_domain:
            return 0, [], None
        return *(await repository.page(where, order, query.offset, query.count)), None
    if query.foreign_domain:
        return 0, [], {}
    page = await cursor_page(
        repository.seek,
        keys=keys,
        scope=scope_of(tenant.org_id, columns.core_schema, query),
        query=query,
        order=SeekOrder(key, query.descending, nullable(key)),
        where=where,
    )
    return page.total, page.rows, page.links


def listing(
    query: ListQuery, total: int, resources: list[Any], cursors: dict[str, str] | None
) -> ScimResult:
    if cursors is None:
        return list_result(total, query.start_index, resources)
    return cursor_list_result(total, resources, cursors)
