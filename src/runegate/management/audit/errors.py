"""Audit log API error catalogue (prefix `AUD`; Runegate's own, Asgardeo has no such API)."""

from __future__ import annotations

from runegate.management.common.errors import ErrorEntry

INVALID_FILTER = ErrorEntry(400, "AUD-60001", "Invalid filter.", "The filter is invalid: {reason}.")
INVALID_RANGE = ErrorEntry(
    400, "AUD-60002", "Invalid time range.", "The time range is invalid: {reason}."
)
