"""List and search parameters (RFC 7644 §3.4.2, §3.4.3): filter, sort, paging and
attribute selection, from a query string or a SearchRequest body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from scim2_models import ResponseParameters
from scim2_models import SCIMException
from scim2_models import ScimFilter

from runegate.identity.names import is_known_domain
from runegate.scim.columns import ResourceColumns
from runegate.scim.errors import InvalidCursor
from runegate.scim.errors import InvalidFilter
from runegate.scim.errors import InvalidSyntax
from runegate.scim.errors import InvalidValue
from runegate.scim.errors import from_scim_exception
from runegate.scim.errors import from_validation
from runegate.scim.filter import _operand
from runegate.scim.filter import parse_filter

MAX_RESULTS = 100  # Asgardeo caps SCIM user search at 100 per page
SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


@dataclass(frozen=True)
class ListQuery:
    filter: str | None = None
    sort_by: str | None = None
    descending: bool = False
    start_index: int = 1
    count: int = MAX_RESULTS
    attributes: list[str] | None = None
    excluded_attributes: list[str] | None = None
    domain: str | None = None
    # RFC 9865 §2: "" asks for the first page by cursor, a nextCursor / previousCursor
    # value for the next ones; None is index paging (startIndex, the default).
    cursor: str | None = None

    @property
    def offset(self) -> int:
        return self.start_index - 1

    @property
    def foreign_domain(self) -> bool:
        """A `domain` naming a user store Runegate does not have: nothing matches."""
        return self.domain is not None and not is_known_domain(self.domain)


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidValue(f"{name} must be an integer.")
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidValue(f"{name} must be an integer.") from exc


def _order(value: Any) -> bool:
    if value in (None, "", "ascending"):
        return False
    if value == "descending":
        return True
    raise InvalidValue("sortOrder must be 'ascending' or 'descending'.")


def _names(value: Any, name: str) -> list[str] | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for part in value for v in part.split(",") if v.strip()]
    raise InvalidValue(f"{name} must be a list of attribute names.")


def _cursor(values: Mapping[str, Any]) -> str | None:
    """RFC 9865 §2: `cursor` (empty or omitted value: the first page) selects cursor paging;
    it does not mix with startIndex, the index paging of RFC 7644 §3.4.2.4."""
    value = values.get("cursor")
    if value is None and "cursor" not in values:
        return None
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidCursor("cursor must be a string.")
    if values.get("startIndex") not in (None, ""):
        raise InvalidValue(
            "startIndex and cursor cannot be combined: page by index (startIndex) "
            "or by cursor (cursor), not both."
        )
    return value


def build_query(values: Mapping[str, Any]) -> ListQuery:
    start = _int(values.get("startIndex"), "startIndex")
    count = _int(values.get("count"), "count")
    cursor = _cursor(values)
    raw_filter = values.get("filter")
    if raw_filter is not None and not isinstance(raw_filter, str):
        raise InvalidFilter("filter must be a string.")
    sort_by = values.get("sortBy")
    if sort_by is not None and not isinstance(sort_by, str):
        raise InvalidValue("sortBy must be an attribute name.")
    return ListQuery(
        filter=raw_filter or None,
        sort_by=sort_by or None,
        descending=_order(values.get("sortOrder")),
        # RFC 7644 §3.4.2.4: startIndex < 1 is 1; count < 0 is 0; over the cap is capped.
        start_index=max(1, start) if start is not None else 1,
        count=min(max(0, count), MAX_RESULTS) if count is not None else MAX_RESULTS,
        attributes=_names(values.get("attributes"), "attributes"),
        excluded_attributes=_names(values.get("excludedAttributes"), "excludedAttributes"),
        domain=values.get("domain") or None,
        cursor=cursor,
    )


def search_query(body: Any) -> ListQuery:
    """RFC 7644 §3.4.3: a SearchRequest message."""
    if not isinstance(body, dict):
        raise InvalidSyntax("The body must be a SearchRequest object.")
    if SEARCH_SCHEMA not in (body.get("schemas") or []):
        raise InvalidSyntax(f"A SearchRequest must list the schema {SEARCH_SCHEMA}.")
    return build_query(body)


def response_parameters(query: ListQuery, model: Any) -> ResponseParameters[Any] | None:
    if not query.attributes and not query.excluded_attributes:
        return None
    try:
        return ResponseParameters[model].model_validate(
            {"attributes": query.attributes, "excludedAttributes": query.excluded_attributes}
        )
    except ValidationError as exc:
        raise from_validation(exc) from exc
    except SCIMException as exc:
        raise from_scim_exception(exc) from exc


def sort_key(query: ListQuery, model: Any, columns: ResourceColumns, default: Any) -> Any:
    """The expression sortBy names (RFC 7644 §3.4.2.3: a singular attribute), or `default`."""
    if not query.sort_by:
        return default
    try:
        parsed: ScimFilter[Any] = parse_filter(f"{query.sort_by} pr", model)
    except InvalidFilter as exc:
        raise InvalidValue(f"sortBy: {exc.description}") from exc
    try:
        binding = parsed.resolve(parsed.ast.attr_path, strict=True)  # type: ignore[attr-defined]
    except SCIMException as exc:
        raise InvalidValue(f"sortBy: {exc.detail[:200]}") from exc
    if binding is None or binding.is_multivalued:
        raise InvalidValue("sortBy must name a singular attribute.")
    return _operand(columns.single(binding), binding)
