"""Pagination: offset/limit for applications, Base64 cursors for API resources.

Asgardeo answers `links[]` of `{href, rel}` with `rel` `next` / `previous`.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any
from typing import TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select

from runegate.management.common.errors import ErrorEntry
from runegate.management.common.schemas import Link

MAX_LIMIT = 500
T = TypeVar("T")


def offset_links(
    path: str, *, offset: int, limit: int, total: int, query: dict[str, str]
) -> list[Link]:
    """`next` / `previous` links of an offset-paginated list."""
    links: list[Link] = []
    if offset + limit < total:
        links.append(Link(href=_href(path, query, offset=offset + limit, limit=limit), rel="next"))
    if offset > 0 and limit > 0:
        links.append(
            Link(
                href=_href(path, query, offset=max(offset - limit, 0), limit=limit), rel="previous"
            )
        )
    return links


def _href(path: str, query: dict[str, str], **values: int | str) -> str:
    params = {k: v for k, v in query.items() if v}
    params.update({k: str(v) for k, v in values.items()})
    return f"{path}?{urlencode(params)}"


def encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, entry: ErrorEntry) -> str:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        value = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeError, ValueError):
        value = ""
    if not value or not value.isprintable():
        raise entry.error(reason="the cursor is not valid")
    return value


def cursor_links(
    path: str,
    *,
    first: str | None,
    last: str | None,
    has_before: bool,
    has_after: bool,
    limit: int,
    query: dict[str, str],
) -> list[Link]:
    """`next` (after the last row) and `previous` (before the first row) links."""
    links: list[Link] = []
    if has_after and last is not None:
        href = _href(path, query, limit=limit, after=encode_cursor(last))
        links.append(Link(href=href, rel="next"))
    if has_before and first is not None:
        href = _href(path, query, limit=limit, before=encode_cursor(first))
        links.append(Link(href=href, rel="previous"))
    return links


def keyset(
    stmt: Select[T],
    column: Any,
    *,
    before: str | None,
    after: str | None,
    invalid_request: ErrorEntry,
    invalid_cursor: ErrorEntry,
) -> Select[T]:
    """`stmt` ordered by `column`, after or before a Base64 cursor (rows before a
    `before` cursor come in descending order: reverse them)."""
    if before and after:
        raise invalid_request.error(reason="Use either before or after, not both.")
    if after:
        return stmt.where(column > decode_cursor(after, invalid_cursor)).order_by(column)
    if before:
        return stmt.where(column < decode_cursor(before, invalid_cursor)).order_by(column.desc())
    return stmt.order_by(column)
