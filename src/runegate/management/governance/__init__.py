"""Identity governance connectors (Asgardeo `/api/server/v1/identity-governance`)."""
