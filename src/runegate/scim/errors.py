"""SCIM errors, one class per RFC 7644 §3.12 `scimType`, and the mapping from
scim2-models exceptions and pydantic validation errors."""

from __future__ import annotations

from pydantic import ValidationError
from scim2_models import Error
from scim2_models import SCIMException

from runegate.errors import IdpError
from runegate.errors import ScimError as ScimError
from runegate.errors import ScimType


class InvalidFilter(ScimError):
    scim_type = "invalidFilter"
    default_description = "The filter is invalid."


class TooMany(ScimError):
    scim_type = "tooMany"
    default_description = "The filter yields more than the server is willing to process."


class Uniqueness(ScimError):
    status = 409
    scim_type = "uniqueness"
    default_description = "A resource with this unique attribute already exists."


class Mutability(ScimError):
    scim_type = "mutability"
    default_description = "The attribute cannot be modified."


class InvalidSyntax(ScimError):
    scim_type = "invalidSyntax"
    default_description = "The request body is not a valid SCIM message."


class InvalidPath(ScimError):
    scim_type = "invalidPath"
    default_description = "The path attribute is invalid."


class NoTarget(ScimError):
    scim_type = "noTarget"
    default_description = "The path matched no attribute or value."


class InvalidValue(ScimError):
    scim_type = "invalidValue"
    default_description = "A required value is missing or a value is not compatible."


class InvalidVersion(ScimError):
    scim_type = "invalidVers"
    default_description = "The version given is invalid."


class PreconditionFailed(ScimError):
    """RFC 7644 §3.14: If-Match does not match the current version."""

    status = 412
    default_description = "The resource has changed since the version given in If-Match."


class NotModified(IdpError):
    """RFC 7644 §3.14 / RFC 7232 §4.1: If-None-Match matched on a read."""

    status = 304
    default_description = "Not modified."


class InvalidCursor(ScimError):
    """RFC 9865 §2.1: the cursor is not one this server issued for this query."""

    scim_type = "invalidCursor"
    default_description = "The cursor is invalid."


class ExpiredCursor(ScimError):
    """RFC 9865 §2.1: the cursor was issued longer than cursorTimeout ago."""

    scim_type = "expiredCursor"
    default_description = "The cursor has expired."


class ResourceNotFound(ScimError):
    status = 404
    default_description = "The resource does not exist."


class TooLarge(ScimError):
    status = 413
    default_description = "The request exceeds the advertised limits."


_BY_TYPE: dict[str, type[ScimError]] = {
    str(cls.scim_type): cls
    for cls in (
        InvalidFilter,
        TooMany,
        Uniqueness,
        Mutability,
        InvalidSyntax,
        InvalidPath,
        NoTarget,
        InvalidValue,
        InvalidVersion,
        InvalidCursor,
        ExpiredCursor,
    )
}


def scim_error(scim_type: ScimType | str | None, detail: str, status: int = 400) -> ScimError:
    """A ScimError for a wire `scimType` (unknown types become invalidValue)."""
    cls = _BY_TYPE.get(scim_type or "")
    if cls is None:
        cls = ResourceNotFound if status == 404 else InvalidValue
    return cls(detail[:500])


def from_scim_exception(exc: SCIMException) -> ScimError:
    return scim_error(exc.scim_type or None, exc.detail, exc.status)


def from_validation(exc: ValidationError) -> ScimError:
    """The first pydantic error as a SCIM error (scim2-models maps scimType)."""
    errors = Error.from_validation_errors(exc)
    first = errors[0] if errors else Error(status=400, scim_type="invalidValue", detail=str(exc))
    return scim_error(first.scim_type, first.detail or "Invalid value.", first.status or 400)
