"""Organizations (tenants): names, resolution of `/t/{org}` and the request context."""
