"""Render IdpErrors once per surface.

- management (`/api/...`): `{"code","message","description","traceId"}`
- OAuth (`/oauth2/...`, `/oidc/...`): RFC 6749 §5.2, `Cache-Control: no-store`
- SCIM (`/scim2/...`): RFC 7644 §3.12, `status` as a string
Unknown exceptions become a generic 500; the traceback goes to the log only.
"""

from __future__ import annotations

import logging
from typing import Literal

from starlette.responses import JSONResponse
from starlette.responses import Response

from runegate import errors
from runegate.tracing import current_trace_id

log = logging.getLogger("runegate.errors")

Surface = Literal["management", "oauth", "scim"]

SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
SCIM_CONTENT_TYPE = "application/scim+json"

# Domain error -> (code, message) for the management surface, when no catalogue code is set.
_MANAGEMENT_CODES: dict[int, tuple[str, str]] = {
    400: ("RG-40000", "Invalid request"),
    401: ("RG-40100", "Unauthorized"),
    403: ("RG-40300", "Forbidden"),
    404: ("RG-40400", "Resource not found"),
    405: ("RG-40500", "Method not allowed"),
    409: ("RG-40900", "Conflict"),
    413: ("RG-41300", "Payload too large"),
    415: ("RG-41500", "Unsupported media type"),
    429: ("RG-42900", "Too many requests"),
    500: ("RG-50000", "Server error"),
    501: ("RG-50100", "Not implemented"),
    503: ("RG-50300", "Service unavailable"),
}

# Domain error status -> scimType (RFC 7644 §3.12 table 9).
_SCIM_TYPES: dict[type[errors.IdpError], str] = {errors.Conflict: "uniqueness"}

_OAUTH_BY_STATUS: dict[int, str] = {
    401: "invalid_client",
    403: "access_denied",
    404: "invalid_request",
    429: "slow_down",  # registered for token responses by RFC 8628 §3.5 / §7.3
    500: "server_error",
    503: "temporarily_unavailable",
}


def surface_for_path(path: str) -> Surface:
    """The surface of a request path (`/t/{org}[/o]/<surface>...`)."""
    parts = path.split("/")
    rest = parts[3:] if len(parts) > 2 and parts[1] == "t" else parts[1:]
    if rest and rest[0] == "o":
        rest = rest[1:]
    head = rest[0] if rest else ""
    if head in ("oauth2", "oidc"):
        return "oauth"
    if head == "scim2":
        return "scim"
    return "management"


def render(surface: Surface, exc: errors.IdpError) -> Response:
    if exc.detail:
        log.info("request failed: %s", exc.detail, extra={"status": exc.status})
    if surface == "oauth":
        return _render_oauth(exc)
    if surface == "scim":
        return _render_scim(exc)
    return _render_management(exc)


def render_unexpected(surface: Surface, exc: BaseException) -> Response:
    log.error("unhandled error", exc_info=exc)
    if surface == "oauth":
        return _render_oauth(errors.ServerError())
    return render(surface, errors.IdpError())


def _render_management(exc: errors.IdpError) -> Response:
    fallback = _MANAGEMENT_CODES.get(exc.status, _MANAGEMENT_CODES[500])
    body = {
        "code": exc.code or fallback[0],
        "message": exc.message or fallback[1],
        "description": exc.description,
        "traceId": current_trace_id(),
    }
    return JSONResponse(body, status_code=exc.status, headers=exc.headers)


def _render_oauth(exc: errors.IdpError) -> Response:
    if isinstance(exc, errors.OAuthError):
        code: str = exc.error
    elif isinstance(exc, errors.MissingToken):
        # RFC 6750 §3.1: no error code when the request carried no credentials.
        return JSONResponse(
            {"error": "invalid_request", "error_description": exc.description},
            status_code=401,
            headers={"Cache-Control": "no-store", **exc.headers},
        )
    else:
        code = _OAUTH_BY_STATUS.get(exc.status, "invalid_request")
    body = {"error": code, "error_description": exc.description}
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache", **exc.headers}
    return JSONResponse(body, status_code=exc.status, headers=headers)


def _render_scim(exc: errors.IdpError) -> Response:
    body: dict[str, object] = {
        "schemas": [SCIM_ERROR_SCHEMA],
        "status": str(exc.status),
        "detail": exc.description,
    }
    scim_type = exc.scim_type if isinstance(exc, errors.ScimError) else _SCIM_TYPES.get(type(exc))
    if scim_type:
        body["scimType"] = scim_type
    return JSONResponse(
        body, status_code=exc.status, headers=exc.headers, media_type=SCIM_CONTENT_TYPE
    )
