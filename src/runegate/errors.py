"""The IdpError hierarchy. No HTTP rendering here: each surface renders these once
(`runegate.http.errors`).

`description` is public and goes into response bodies; `detail` is internal and is only
logged. Domain errors say what went wrong; surface errors carry a wire code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar
from typing import Literal

# RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
_OAUTH_DESCRIPTION = re.compile(r"[\x20-\x21\x23-\x5b\x5d-\x7e]*")


class IdpError(Exception):
    """Base of every error Runegate raises on purpose."""

    status: ClassVar[int] = 500
    default_description: ClassVar[str] = "The server could not complete the request."
    code: str | None = None  # management catalogue code, e.g. "APP-60006"
    message: str | None = None  # management short message

    def __init__(
        self,
        description: str | None = None,
        *,
        detail: str | None = None,
        headers: Mapping[str, str] | None = None,
        code: str | None = None,
        message: str | None = None,
    ) -> None:
        self.description = description or self.default_description
        self.detail = detail
        self.headers: dict[str, str] = dict(headers or {})
        if code is not None:
            self.code = code
        if message is not None:
            self.message = message
        super().__init__(self.description)


class InvalidInput(IdpError):
    status = 400
    default_description = "The request is invalid."


class Unauthorized(IdpError):
    status = 401
    default_description = "Authentication is required."


class Forbidden(IdpError):
    status = 403
    default_description = "The operation is not permitted."


class NotFound(IdpError):
    status = 404
    default_description = "The resource does not exist."


class MethodNotAllowed(IdpError):
    status = 405
    default_description = "The method is not allowed for this resource."


class Conflict(IdpError):
    status = 409
    default_description = "The resource conflicts with an existing one."


class PayloadTooLarge(IdpError):
    status = 413
    default_description = "The request body is too large."


class UnsupportedMediaType(IdpError):
    status = 415
    default_description = "The request content type is not supported."


class LimitExceeded(IdpError):
    status = 429
    default_description = "Too many requests."


class NotImplementedFeature(IdpError):
    status = 501
    default_description = "This feature is not implemented by Runegate."


class ServiceUnavailable(IdpError):
    status = 503
    default_description = "A dependency is unavailable."


OAuthErrorCode = Literal[
    "invalid_request",
    "invalid_client",
    "invalid_grant",
    "unauthorized_client",
    "unsupported_grant_type",
    "invalid_scope",
    "access_denied",
    "unsupported_response_type",
    "server_error",
    "temporarily_unavailable",
    "unsupported_token_type",
    "invalid_token",
    "insufficient_scope",
    "invalid_dpop_proof",
    "slow_down",
    "authorization_pending",
    "expired_token",
    "login_required",
    "consent_required",
    "interaction_required",
    "invalid_request_uri",
    "invalid_request_object",
]


class OAuthError(IdpError):
    """An RFC 6749 §5.2 error; subclasses fix the wire code."""

    status = 400
    error: ClassVar[OAuthErrorCode] = "invalid_request"

    def __init__(
        self,
        description: str | None = None,
        *,
        detail: str | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        # RFC 6749 §5.2: check error_description's character set at construction.
        if description is not None and not _OAUTH_DESCRIPTION.fullmatch(description):
            raise ValueError("error_description has characters outside RFC 6749 §5.2")
        super().__init__(description, detail=detail, headers=headers)
        if status is not None:
            self.status = status  # type: ignore[misc]


class InvalidRequest(OAuthError):
    error = "invalid_request"
    default_description = "The request is missing a parameter or is malformed."


class InvalidClient(OAuthError):
    status = 401
    error = "invalid_client"
    default_description = "Client authentication failed."


class InvalidGrant(OAuthError):
    error = "invalid_grant"
    default_description = "The provided grant is invalid, expired or revoked."


class UnauthorizedClient(OAuthError):
    error = "unauthorized_client"
    default_description = "The client is not allowed to use this grant type."


class UnsupportedGrantType(OAuthError):
    error = "unsupported_grant_type"
    default_description = "The grant type is not supported."


class InvalidScope(OAuthError):
    error = "invalid_scope"
    default_description = "The requested scope is invalid."


class AccessDenied(OAuthError):
    status = 403
    error = "access_denied"
    default_description = "The request was denied."


class UnsupportedTokenType(OAuthError):
    error = "unsupported_token_type"
    default_description = "The token type is not supported."


class ServerError(OAuthError):
    status = 500
    error = "server_error"
    default_description = "The server encountered an unexpected condition."


class InvalidToken(OAuthError):
    """RFC 6750 §3.1: the access token is expired, revoked, malformed or invalid."""

    status = 401
    error = "invalid_token"
    default_description = "The access token is invalid or expired."


class InsufficientScope(OAuthError):
    """RFC 6750 §3.1: the token lacks the scope the operation requires."""

    status = 403
    error = "insufficient_scope"
    default_description = "The access token does not carry the required scope."


class MissingToken(Unauthorized):
    """RFC 6750 §3.1: no credentials; the challenge carries no error code."""

    default_description = "An access token is required."


ScimType = Literal[
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
    "invalidCursor",  # RFC 9865 §2.1
    "expiredCursor",
]


class ScimError(IdpError):
    """An RFC 7644 §3.12 error with an optional `scimType`."""

    status = 400
    scim_type: ClassVar[ScimType | None] = None
