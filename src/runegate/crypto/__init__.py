"""Cryptography: password and keyed hashes, signing keys, JWKS and JWT."""
