"""Storage: engine, typed models, tenant-scoped repositories and migrations."""
