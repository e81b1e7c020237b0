"""Tenant-scoped repositories: every query carries the organization id."""
