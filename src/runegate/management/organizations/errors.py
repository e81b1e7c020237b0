"""Organization management error catalogue (prefix `ORG`; `ORG-60003` as the tenant
middleware answers for an unknown organization)."""

from __future__ import annotations

from runegate.management.common.errors import ErrorEntry

INVALID_REQUEST = ErrorEntry(400, "ORG-60001", "Invalid request.", "{reason}")
INVALID_FILTER = ErrorEntry(400, "ORG-60002", "Invalid filter.", "The filter is invalid: {reason}.")
NOT_FOUND = ErrorEntry(
    404,
    "ORG-60003",
    "Organization not found",
    "No organization exists with the id {org_id} below this organization.",
)
INVALID_PARENT = ErrorEntry(
    400,
    "ORG-60004",
    "Invalid parent organization.",
    "The parent organization {parent_id} does not exist below this organization.",
)
NAME_CONFLICT = ErrorEntry(
    409,
    "ORG-60005",
    "Organization name conflict.",
    "An organization named {name!r} already exists in this organization hierarchy.",
)
HAS_CHILDREN = ErrorEntry(
    400,
    "ORG-60006",
    "Organization has child organizations.",
    "The organization {org_id} has child organizations; delete them first.",
)
IN_USE = ErrorEntry(
    400,
    "ORG-60007",
    "Organization is in use.",
    "The organization {org_id} still has {what}; remove them first.",
)
INVALID_PATCH = ErrorEntry(400, "ORG-60008", "Invalid patch operation.", "{reason}")
TOO_DEEP = ErrorEntry(
    400,
    "ORG-60009",
    "Organization hierarchy too deep.",
    "Organizations can be nested at most {max} levels below the root organization.",
)
INVALID_CURSOR = ErrorEntry(
    400, "ORG-60010", "Invalid cursor.", "The pagination cursor is invalid: {reason}."
)
