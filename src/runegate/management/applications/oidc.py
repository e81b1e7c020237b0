"""Validation and storage of the OAuth2/OIDC inbound configuration.

The stored form (`Application.oidc`) is the OpenIDConnectConfiguration without the
client id, secret and state, which live in columns; the token service reads it.
"""

from __future__ import annotations

from typing import Any
from typing import get_args

from pydantic import BaseModel

from runegate.crypto.jwt import SUPPORTED_ALGORITHMS
from runegate.management.applications import errors as app_errors
from runegate.management.applications.callback_urls import CallbackError
from runegate.management.applications.callback_urls import check_callback_urls
from runegate.management.applications.callback_urls import check_origin
from runegate.management.applications.callback_urls import check_url
from runegate.management.applications.oidc_schemas import OidcConfig
from runegate.management.applications.templates import Template

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"
GRANT_TYPES = frozenset(
    {
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "password",
        "implicit",
        "organization_switch",
        TOKEN_EXCHANGE,
        JWT_BEARER,
        DEVICE_CODE,
    }
)
REDIRECT_GRANTS = frozenset({"authorization_code", "implicit"})
CONFIDENTIAL_ONLY_GRANTS = frozenset({"client_credentials", "password"})
ACCESS_TOKEN_TYPES = frozenset({"Default", "JWT"})
AUTH_METHODS = frozenset({"client_secret_basic", "client_secret_post", "private_key_jwt"})
ID_TOKEN_ALGS = frozenset(SUPPORTED_ALGORITHMS)
MAX_LIFETIME = 10 * 365 * 24 * 3600
# Settings of features Runegate does not implement: accepted only at these values.
UNSUPPORTED_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("clientSecretExpiresAt", 0),
    ("hybridFlow.enable", False),
    ("subjectToken.enable", False),
    ("validateRequestObjectSignature", False),
    ("scopeValidators", []),
    ("isFAPIApplication", False),
    ("fapiProfile", None),
    ("cibaAuthenticationRequest", None),
    ("pushAuthorizationRequest.requirePushAuthorizationRequest", False),
    ("accessToken.bindingType", "None"),
    ("accessToken.validateTokenBinding", False),
    ("accessToken.enableJwtScopeAsArray", False),
    ("refreshToken.extendRenewedRefreshTokenExpiryTime", False),
    ("refreshToken.gracefulRefreshTokenRotationEnabled", False),
    ("idToken.encryption.enabled", False),
    ("clientAuthentication.tlsClientAuthSubjectDn", None),
    ("requestObject.requestObjectSigningAlg", None),
    ("requestObject.encryption.algorithm", None),
    ("subject.subjectType", "public"),
    ("subject.sectorIdentifierUri", None),
)
NOT_STORED = {"clientId", "clientSecret", "clientSecretExpiresAt", "state"}
NOT_STORED |= {"multipleClientSecretsConfigured"}


def _lookup(data: dict[str, Any], path: str) -> Any:
    value: Any = data
    for key in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _invalid(field: str, reason: str) -> Exception:
    return app_errors.INVALID_OIDC.error(field=field, reason=reason)


def check_unsupported(config: OidcConfig) -> None:
    data = config.model_dump()
    for path, default in UNSUPPORTED_DEFAULTS:
        value = _lookup(data, path)
        if value is not None and value != default:
            raise app_errors.UNSUPPORTED_OIDC.error(field=path, default=repr(default))


def check_grants(config: OidcConfig, template: Template) -> None:
    grants = config.grantTypes
    for grant in grants:
        if grant not in GRANT_TYPES:
            raise _invalid("grantTypes", f"the grant type {grant[:80]!r} is not supported")
    if len(set(grants)) != len(grants):
        raise _invalid("grantTypes", "grant types must not repeat")
    if template.only_grants is not None and set(grants) != template.only_grants:
        allowed = " ".join(sorted(template.only_grants))
        raise _invalid("grantTypes", f"{template.label} applications use only: {allowed}")
    if config.publicClient and CONFIDENTIAL_ONLY_GRANTS & set(grants):
        raise _invalid("grantTypes", "public clients cannot use client_credentials or password")
    if REDIRECT_GRANTS & set(grants) and not config.callbackURLs:
        raise _invalid("callbackURLs", "at least one is required for authorization_code")


def check_urls(config: OidcConfig) -> None:
    try:
        check_callback_urls(config.callbackURLs)
    except CallbackError as exc:
        raise _invalid("callbackURLs", str(exc)) from None
    for origin in config.allowedOrigins:
        try:
            check_origin(origin)
        except CallbackError as exc:
            raise _invalid("allowedOrigins", f"{origin[:80]!r} {exc}") from None
    for name in ("backChannelLogoutUrl", "frontChannelLogoutUrl"):
        url = getattr(config.logout, name)
        if url:
            try:
                check_url(url, allow_custom_scheme=False)
            except CallbackError as exc:
                raise _invalid(f"logout.{name}", str(exc)) from None


def check_tokens(config: OidcConfig) -> None:
    if config.accessToken.type not in ACCESS_TOKEN_TYPES:
        raise _invalid("accessToken.type", "must be Default (opaque) or JWT")
    lifetimes = {
        "accessToken.userAccessTokenExpiryInSeconds": (
            config.accessToken.userAccessTokenExpiryInSeconds
        ),
        "accessToken.applicationAccessTokenExpiryInSeconds": (
            config.accessToken.applicationAccessTokenExpiryInSeconds
        ),
        "refreshToken.expiryInSeconds": config.refreshToken.expiryInSeconds,
        "idToken.expiryInSeconds": config.idToken.expiryInSeconds,
    }
    for field, seconds in lifetimes.items():
        if not 1 <= seconds <= MAX_LIFETIME:
            raise _invalid(field, f"must be between 1 and {MAX_LIFETIME} seconds")
    if config.idToken.idTokenSignedResponseAlg not in ID_TOKEN_ALGS:
        raise _invalid(
            "idToken.idTokenSignedResponseAlg", f"use one of {', '.join(SUPPORTED_ALGORITHMS)}"
        )
    if any(not a.strip() for a in config.idToken.audience):
        raise _invalid("idToken.audience", "values must not be empty")


def check_client_auth(config: OidcConfig) -> None:
    method = config.clientAuthentication.tokenEndpointAuthMethod
    if config.publicClient:
        if method not in (None, "none"):
            raise _invalid(
                "clientAuthentication.tokenEndpointAuthMethod", "public clients use none"
            )
    elif method is not None and method not in AUTH_METHODS:
        allowed = ", ".join(sorted(AUTH_METHODS))
        raise _invalid("clientAuthentication.tokenEndpointAuthMethod", f"use one of {allowed}")


def validate(config: OidcConfig, template: Template) -> OidcConfig:
    """Every rule, in order; raises the first violation as a 400."""
    check_unsupported(config)
    check_grants(config, template)
    check_urls(config)
    check_tokens(config)
    check_client_auth(config)
    return config


def merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: `overlay` wins; nested objects merge key by key."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def to_stored(config: OidcConfig) -> dict[str, Any]:
    return config.model_dump(mode="json", exclude=NOT_STORED, exclude_none=True)


def known_fields(data: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    """Keep the keys the wire model knows (other code may store private extras)."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = model.model_fields.get(key)
        if field is None:
            continue
        nested = next(
            (t for t in (field.annotation, *get_args(field.annotation)) if _is_model(t)), None
        )
        out[key] = known_fields(value, nested) if nested and isinstance(value, dict) else value
    return out


def _is_model(candidate: object) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def from_stored(stored: dict[str, Any], *, client_id: str, state: str) -> OidcConfig:
    data = known_fields(stored, OidcConfig)
    return OidcConfig.model_validate(
        {**data, "clientId": client_id, "state": state, "clientSecretExpiresAt": 0}
    )
