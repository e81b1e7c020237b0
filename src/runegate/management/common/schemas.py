"""Wire models shared by the management APIs."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic import ConfigDict


class StrictModel(BaseModel):
    """Request bodies: unknown fields and wrong types are refused (400), never silently
    dropped or coerced ("yes" is not a boolean)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class WireModel(BaseModel):
    """Response bodies."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(WireModel):
    code: str
    message: str
    description: str | None = None
    traceId: str | None = None


class Link(WireModel):
    href: str
    rel: str


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the management error body."""
    names = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        500: "Server Error",
        501: "Not Implemented",
    }
    return {s: {"model": ErrorBody, "description": names.get(s, "Error")} for s in statuses}
