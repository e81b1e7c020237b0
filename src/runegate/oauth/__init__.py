"""The OAuth 2.0 engine: token, introspection and revocation endpoints, client
authentication, grants and access tokens. Only `routes.py` imports Starlette/FastAPI."""
