"""Roles v2: roles, the audience rule and the scopes a user's roles grant."""
