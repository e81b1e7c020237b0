"""OpenID Connect: discovery (and later userinfo, ID tokens, logout)."""
