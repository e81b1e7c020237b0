"""API resources (the unit of authorization) and their scopes."""
