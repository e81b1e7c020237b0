"""Organization management (`/api/server/v1/organizations`, also under `/o/`)."""
