"""Per-organization rate-limit overrides: `/t/{org}/api/server/v1/rate-limits`."""
