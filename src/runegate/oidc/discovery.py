"""The provider metadata document.

Implements: RFC 8414 §2 (authorization server metadata) and OIDC Discovery §3/§4 (served
at the issuer plus `/.well-known/openid-configuration`). Only what is implemented is
advertised: endpoints, grants and methods are added here as they ship.
"""

from __future__ import annotations

from typing import Any

from runegate.crypto.jwt import SUPPORTED_ALGORITHMS
from runegate.oauth.grants import GRANTS
from runegate.oidc.claims import CLAIMS_SUPPORTED
from runegate.oidc.claims import SCOPE_CLAIMS
from runegate.tenancy.context import TenantContext

CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
# OIDC Core §2 claims of the ID token itself (the user claims come from oidc/claims.py).
ID_TOKEN_CLAIMS = ["iss", "aud", "azp", "exp", "iat", "nbf", "jti", "auth_time", "nonce"]
ID_TOKEN_CLAIMS += ["at_hash", "c_hash", "sid", "amr", "org_id", "org_name"]


def discovery_document(tenant: TenantContext) -> dict[str, Any]:
    oauth2 = f"{tenant.tenant_url}/oauth2"
    algorithms = list(SUPPORTED_ALGORITHMS)
    return {
        "issuer": tenant.issuer,
        "authorization_endpoint": f"{oauth2}/authorize",
        "token_endpoint": f"{oauth2}/token",
        "jwks_uri": f"{oauth2}/jwks",
        "introspection_endpoint": f"{oauth2}/introspect",
        "revocation_endpoint": f"{oauth2}/revoke",
        "grant_types_supported": sorted(GRANTS),
        "token_endpoint_auth_methods_supported": [*CLIENT_AUTH_METHODS, "none"],
        "token_endpoint_auth_signing_alg_values_supported": algorithms,
        "introspection_endpoint_auth_methods_supported": CLIENT_AUTH_METHODS,
        "introspection_endpoint_auth_signing_alg_values_supported": algorithms,
        "revocation_endpoint_auth_methods_supported": [*CLIENT_AUTH_METHODS, "none"],
        "revocation_endpoint_auth_signing_alg_values_supported": algorithms,
        # RFC 9068 §2.1: access tokens may be JWTs signed with these.
        "access_token_signing_alg_values_supported": algorithms,
        # OpenID Connect (OIDC Discovery §3): ID tokens, userinfo and the claims released.
        "userinfo_endpoint": f"{oauth2}/userinfo",
        "scopes_supported": ["openid", *SCOPE_CLAIMS],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algorithms,
        "claims_supported": [*CLAIMS_SUPPORTED, *ID_TOKEN_CLAIMS],
        # Sign-in (RFC 6749 §4.1, OAuth 2.0 Form Post Response Mode, RFC 7636 §4.3).
        "response_types_supported": ["code"],
        "response_modes_supported": ["query", "form_post"],
        "code_challenge_methods_supported": ["S256", "plain"],
        # OIDC RP-Initiated Logout 1.0 §2.1 and Back-Channel Logout 1.0 §2.1.
        "end_session_endpoint": f"{tenant.tenant_url}/oidc/logout",
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
    }
