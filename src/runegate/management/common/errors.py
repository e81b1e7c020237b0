"""Asgardeo-style error catalogue entries (`{"code","message","description","traceId"}`).

Each API keeps an enum-like table of entries (prefix, number, message, description
template), as wso2/identity-api-server `ApplicationManagementConstants.java` does; the
management renderer in `runegate.http.errors` adds the trace id.
"""

from __future__ import annotations

from dataclasses import dataclass

from runegate import errors

_BY_STATUS: dict[int, type[errors.IdpError]] = {
    400: errors.InvalidInput,
    403: errors.Forbidden,
    404: errors.NotFound,
    409: errors.Conflict,
    501: errors.NotImplementedFeature,
}


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    """One catalogue entry; `description` may hold `{name}` placeholders."""

    status: int
    code: str
    message: str
    description: str

    def error(self, detail: str | None = None, **values: object) -> errors.IdpError:
        cls = _BY_STATUS.get(self.status, errors.IdpError)
        return cls(
            self.description.format(**values),
            code=self.code,
            message=self.message,
            detail=detail,
        )
