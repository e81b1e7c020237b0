"""Hosted sign-in pages: the authorization endpoint's login, consent and error pages."""
