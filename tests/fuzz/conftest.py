"""Fixtures of the fuzz and property tests (shared with the SCIM tests)."""

from tests.scim.conftest import scim  # noqa: F401  (the SCIM admin fixture)
