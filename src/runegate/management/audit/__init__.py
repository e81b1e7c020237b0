"""`GET /t/{org}/api/server/v1/audit-logs`: the audit trail, for administrators."""
