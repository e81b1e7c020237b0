"""Asgardeo-compatible management APIs (`/t/{org}/api/server/v1/...`)."""
