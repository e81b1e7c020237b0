"""Identity governance API error catalogue (prefix `IDG`, as Asgardeo's examples)."""

from __future__ import annotations

from runegate.management.common.errors import ErrorEntry

CATEGORY_NOT_FOUND = ErrorEntry(
    404, "IDG-50001", "Category not found.", "No connector category has the id {id}."
)
CONNECTOR_NOT_FOUND = ErrorEntry(
    404, "IDG-50002", "Connector not found.", "No connector of this category has the id {id}."
)
INVALID_PROPERTY = ErrorEntry(400, "IDG-60001", "Invalid property.", "{reason}")
