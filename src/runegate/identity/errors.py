"""Domain errors of the identity services (rendered per surface by `http/errors.py`)."""

from __future__ import annotations

from runegate.errors import IdpError
from runegate.errors import InvalidInput


class PreconditionFailed(IdpError):
    """RFC 7232 §4.2: the resource version does not match `If-Match`."""

    status = 412
    default_description = "The resource has changed since the version given in If-Match."


class WeakPassword(InvalidInput):
    """The password does not satisfy the organization's password policy."""

    default_description = "The password does not satisfy the password policy."


class UnknownMember(InvalidInput):
    """A group member reference names no user of the organization."""

    default_description = "A group member does not exist in the organization."
