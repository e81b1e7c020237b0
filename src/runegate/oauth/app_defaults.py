"""Default OIDC inbound settings for new applications (Asgardeo's defaults), shared by
the token service, the management APIs and bootstrap."""

from __future__ import annotations

from typing import Any

DEFAULT_ACCESS_TOKEN_LIFETIME = 3600
DEFAULT_REFRESH_TOKEN_LIFETIME = 86400
DEFAULT_ID_TOKEN_LIFETIME = 3600


def default_oidc(grant_types: list[str], *, public_client: bool = False) -> dict[str, Any]:
    """The stored OpenIDConnectConfiguration (client id and secret live in columns)."""
    return {
        "grantTypes": list(grant_types),
        "callbackURLs": [],
        "allowedOrigins": [],
        "publicClient": public_client,
        "pkce": {"mandatory": public_client, "supportPlainTransformAlgorithm": False},
        "accessToken": {
            "type": "Default",
            "userAccessTokenExpiryInSeconds": DEFAULT_ACCESS_TOKEN_LIFETIME,
            "applicationAccessTokenExpiryInSeconds": DEFAULT_ACCESS_TOKEN_LIFETIME,
            "bindingType": "None",
            "revokeTokensWhenIDPSessionTerminated": False,
            "validateTokenBinding": False,
            "accessTokenAttributes": [],
        },
        "refreshToken": {
            "expiryInSeconds": DEFAULT_REFRESH_TOKEN_LIFETIME,
            "renewRefreshToken": True,
        },
        "idToken": {
            "expiryInSeconds": DEFAULT_ID_TOKEN_LIFETIME,
            "audience": [],
            "idTokenSignedResponseAlg": "RS256",
        },
        "clientAuthentication": {
            "tokenEndpointAuthMethod": "none" if public_client else "client_secret_basic",
            "tokenEndpointAllowReusePvtKeyJwt": False,
        },
        "logout": {},
    }
