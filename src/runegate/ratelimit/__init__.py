"""Rate limits per client and per IP on the token, sign-in and SCIM endpoints."""
