"""Exception handlers: every error leaves in its surface's format, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from runegate import errors
from runegate.http.errors import render
from runegate.http.errors import surface_for_path

log = logging.getLogger("runegate.http")


class InvalidScimInput(errors.ScimError):
    scim_type = "invalidValue"


RETRY_AFTER_S = "2"


def unavailable_database(exc: BaseException) -> errors.IdpError | None:
    """A database outage (refused, timed out, dropped) becomes 503 + Retry-After."""
    if isinstance(exc, IntegrityError):
        return errors.Conflict(detail=type(exc.orig).__name__)
    outage = (
        isinstance(exc, PoolTimeoutError | ConnectionError | TimeoutError)
        or (isinstance(exc, DBAPIError) and exc.connection_invalidated)
        or (isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError))
    )
    if not outage and isinstance(exc, DBAPIError):
        outage = isinstance(exc.orig, ConnectionError | TimeoutError | OSError) or (
            "connection" in type(exc.orig).__name__.lower()
        )
    if not outage:
        return None
    return errors.ServiceUnavailable(
        "The database is unavailable; retry shortly.",
        detail=f"database outage: {type(exc).__name__}",
        headers={"Retry-After": RETRY_AFTER_S},
    )


def describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors()[:5]:
        location = ".".join(str(p) for p in error.get("loc", ()) if p != "body")
        message = str(error.get("msg", "invalid value"))
        if error.get("type") == "json_invalid":
            return "The request body is not valid JSON."
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts) or "The request is invalid."


async def _idp_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.IdpError)
    return render(surface_for_path(request.url.path), exc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    surface = surface_for_path(request.url.path)
    description = describe_validation(exc)
    if surface == "scim":
        return render(surface, InvalidScimInput(description))
    if surface == "oauth":
        return render(surface, errors.InvalidRequest(_oauth_safe(description)))
    return render(surface, errors.InvalidInput(description))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    surface = surface_for_path(request.url.path)
    mapped: errors.IdpError
    if exc.status_code == 404:
        mapped = errors.NotFound("The requested resource does not exist.")
    elif exc.status_code == 405:
        mapped = errors.MethodNotAllowed()
    else:
        mapped = errors.InvalidInput(str(exc.detail))
        mapped.status = exc.status_code  # type: ignore[misc]
    return render(surface, mapped)


def _oauth_safe(text: str) -> str:
    return "".join(c if 0x20 <= ord(c) <= 0x7E and c not in '"\\' else " " for c in text)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.IdpError, _idp_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
