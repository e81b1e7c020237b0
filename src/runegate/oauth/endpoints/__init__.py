"""One module per endpoint (token, introspection, revocation)."""
