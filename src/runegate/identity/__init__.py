"""User and group services shared by SCIM and the management APIs.

`users` and `groups` own the unit-of-work logic (uniqueness, passwords, memberships,
token revocation); callers pass an open write session and the TenantContext.
"""
