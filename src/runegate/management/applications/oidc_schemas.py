"""The OpenIDConnectConfiguration wire model (Asgardeo's schema, field for field).

Every field GET returns is accepted back by PUT. Settings of features Runegate does not
implement are accepted at their defaults only (see `oidc.UNSUPPORTED_DEFAULTS`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runegate.management.common.schemas import StrictModel

Lifetime = int  # seconds; bounds are checked by `oidc.check_lifetimes`
MAX_LIST = 100


class PkceConfig(StrictModel):
    mandatory: bool = False
    supportPlainTransformAlgorithm: bool = False


class AccessTokenConfig(StrictModel):
    type: str = "Default"
    userAccessTokenExpiryInSeconds: Lifetime = 3600
    applicationAccessTokenExpiryInSeconds: Lifetime = 3600
    bindingType: str = "None"
    revokeTokensWhenIDPSessionTerminated: bool = False
    validateTokenBinding: bool = False
    accessTokenAttributes: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    enableJwtScopeAsArray: bool = False
    # Runegate extension: the JWS algorithm of JWT access tokens (RS256 when absent).
    signingAlgorithm: Literal["RS256", "ES256", "PS256"] | None = None


class HybridFlowConfig(StrictModel):
    enable: bool = False
    responseType: str | None = None


class RefreshTokenConfig(StrictModel):
    expiryInSeconds: Lifetime = 86400
    renewRefreshToken: bool = True
    extendRenewedRefreshTokenExpiryTime: bool = False
    gracefulRefreshTokenRotationEnabled: bool = False
    gracefulRefreshTokenRotationValidityPeriod: int | None = None
    gracefulRefreshTokenReuseLimit: int | None = None


class SubjectTokenConfig(StrictModel):
    enable: bool = False
    applicationSubjectTokenExpiryInSeconds: int | None = None


class IdTokenEncryptionConfig(StrictModel):
    enabled: bool = False
    algorithm: str | None = None
    method: str | None = None


class IdTokenConfig(StrictModel):
    expiryInSeconds: Lifetime = 3600
    audience: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    idTokenSignedResponseAlg: str = "RS256"
    encryption: IdTokenEncryptionConfig | None = None


class LogoutConfig(StrictModel):
    backChannelLogoutUrl: str | None = None
    frontChannelLogoutUrl: str | None = None


class ClientAuthenticationConfig(StrictModel):
    tokenEndpointAuthMethod: str | None = None
    tokenEndpointAllowReusePvtKeyJwt: bool = False
    tokenEndpointAuthSigningAlg: str | None = None
    tlsClientAuthSubjectDn: str | None = None


class RequestObjectEncryptionConfig(StrictModel):
    algorithm: str | None = None
    method: str | None = None


class RequestObjectConfig(StrictModel):
    requestObjectSigningAlg: str | None = None
    encryption: RequestObjectEncryptionConfig | None = None


class PushAuthorizationRequestConfig(StrictModel):
    requirePushAuthorizationRequest: bool = False


class SubjectConfig(StrictModel):
    subjectType: str = "public"
    sectorIdentifierUri: str | None = None


class CibaConfig(StrictModel):
    authReqExpiryTime: int | None = None
    notificationChannels: list[str] | None = None
    skipUserValidation: bool = False
    allowFederatedUsers: bool = False


class AllowedIssuer(StrictModel):
    value: str | None = None
    organizationId: str | None = None
    tenantDomain: str | None = None


class OidcConfig(StrictModel):
    """OpenIDConnectConfiguration: request (PUT, create) and response (GET) body."""

    clientId: str | None = Field(default=None, max_length=255)
    clientSecret: str | None = Field(default=None, max_length=255)
    clientSecretExpiresAt: int | None = None
    multipleClientSecretsConfigured: bool | None = None
    state: Literal["ACTIVE", "REVOKED"] | None = None
    grantTypes: list[str] = Field(min_length=1, max_length=20)
    callbackURLs: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    allowedOrigins: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    publicClient: bool = False
    pkce: PkceConfig = Field(default_factory=PkceConfig)
    accessToken: AccessTokenConfig = Field(default_factory=AccessTokenConfig)
    hybridFlow: HybridFlowConfig = Field(default_factory=HybridFlowConfig)
    refreshToken: RefreshTokenConfig = Field(default_factory=RefreshTokenConfig)
    subjectToken: SubjectTokenConfig = Field(default_factory=SubjectTokenConfig)
    idToken: IdTokenConfig = Field(default_factory=IdTokenConfig)
    logout: LogoutConfig = Field(default_factory=LogoutConfig)
    validateRequestObjectSignature: bool = False
    scopeValidators: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    clientAuthentication: ClientAuthenticationConfig = Field(
        default_factory=ClientAuthenticationConfig
    )
    requestObject: RequestObjectConfig = Field(default_factory=RequestObjectConfig)
    pushAuthorizationRequest: PushAuthorizationRequestConfig = Field(
        default_factory=PushAuthorizationRequestConfig
    )
    subject: SubjectConfig = Field(default_factory=SubjectConfig)
    isFAPIApplication: bool = False
    fapiProfile: Literal["FAPI1_ADVANCED", "FAPI2_SECURITY"] | None = None
    cibaAuthenticationRequest: CibaConfig | None = None
    issuer: AllowedIssuer | None = None
