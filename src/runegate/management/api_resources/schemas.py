"""Wire models of the API resource management API."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runegate.management.common.schemas import Link
from runegate.management.common.schemas import StrictModel
from runegate.management.common.schemas import WireModel

# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_PATTERN = r"^[\x21\x23-\x5b\x5d-\x7e]+$"
IDENTIFIER_PATTERN = r"^\S+$"


class ScopeCreate(StrictModel):
    """ScopeCreationModel."""

    name: str = Field(min_length=1, max_length=255, pattern=SCOPE_PATTERN)
    displayName: str | None = Field(default=None, max_length=255)
    description: str | None = Field(default=None, max_length=1024)


class ScopeItem(WireModel):
    """ScopeGetModel."""

    id: str
    name: str
    displayName: str
    description: str | None = None


class Property(WireModel):
    name: str
    value: str


class SubscribedApplication(WireModel):
    id: str
    name: str


class ApiResourceCreate(StrictModel):
    """APIResourceCreationModel."""

    name: str = Field(min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")
    identifier: str = Field(min_length=1, max_length=512, pattern=IDENTIFIER_PATTERN)
    description: str | None = Field(default=None, max_length=1024)
    requiresAuthorization: bool = True
    scopes: list[ScopeCreate] = Field(default_factory=list, max_length=500)
    authorizationDetailsTypes: list[dict[str, str]] = Field(default_factory=list, max_length=0)
    resourceType: Literal["BUSINESS"] | None = None


class ApiResourcePatch(StrictModel):
    """APIResourcePatchModel (`removedScopes` is refused, as Asgardeo does)."""

    name: str | None = Field(default=None, min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")
    description: str | None = Field(default=None, max_length=1024)
    addedScopes: list[ScopeCreate] = Field(default_factory=list, max_length=500)
    removedScopes: list[str] = Field(default_factory=list, max_length=500)
    addedAuthorizationDetailsTypes: list[dict[str, str]] = Field(default_factory=list, max_length=0)
    removedAuthorizationDetailsTypes: list[str] = Field(default_factory=list, max_length=0)


class ApiResourceResponse(WireModel):
    """APIResourceResponse."""

    id: str
    name: str
    description: str | None = None
    identifier: str
    type: str
    requiresAuthorization: bool
    scopes: list[ScopeItem]
    subscribedApplications: list[SubscribedApplication]
    properties: list[Property]
    self: str


class ApiResourceListItem(WireModel):
    id: str
    name: str
    identifier: str
    type: str
    requiresAuthorization: bool
    properties: list[Property] | None = None
    self: str


class ApiResourceList(WireModel):
    totalResults: int
    links: list[Link]
    APIResources: list[ApiResourceListItem]
