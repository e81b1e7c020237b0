"""API resource management error catalogue (prefix `APR`)."""

from __future__ import annotations

from runegate.management.common.errors import ErrorEntry

INVALID_REQUEST = ErrorEntry(400, "APR-60001", "Invalid request.", "{reason}")
INVALID_FILTER = ErrorEntry(400, "APR-60002", "Invalid filter.", "The filter is invalid: {reason}.")
INVALID_CURSOR = ErrorEntry(
    400, "APR-60003", "Invalid cursor.", "The pagination cursor is invalid: {reason}."
)
NOT_FOUND = ErrorEntry(
    404,
    "APR-60004",
    "API resource not found.",
    "No API resource exists with the id {api_id} in this organization.",
)
IDENTIFIER_EXISTS = ErrorEntry(
    409,
    "APR-60005",
    "API resource already exists.",
    "An API resource with the identifier {identifier!r} already exists.",
)
SCOPE_EXISTS = ErrorEntry(
    409,
    "APR-60006",
    "Scope already exists.",
    "The scope {name!r} already exists in this organization.",
)
SCOPE_NOT_FOUND = ErrorEntry(
    404,
    "APR-60007",
    "Scope not found.",
    "The API resource {api_id} has no scope named {name!r}.",
)
SYSTEM_READ_ONLY = ErrorEntry(
    403,
    "APR-60008",
    "System API resource.",
    "System API resources are read-only; {api_id} cannot be changed.",
)
NOT_SUPPORTED = ErrorEntry(
    400, "APR-60009", "Not supported.", "{field} is not supported by Runegate."
)
DUPLICATE_SCOPES = ErrorEntry(
    400, "APR-60010", "Duplicate scopes.", "The scope {name!r} is given more than once."
)
