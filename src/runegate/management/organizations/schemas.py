"""Wire models of the organization management API (shapes of Asgardeo's
`org-management.yaml`: OrganizationPOSTRequest, OrganizationResponse, ...)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runegate.management.common.schemas import Link
from runegate.management.common.schemas import StrictModel
from runegate.management.common.schemas import WireModel

Status = Literal["ACTIVE", "DISABLED"]
OrgType = Literal["TENANT", "STRUCTURAL"]


class Attribute(StrictModel):
    key: str = Field(min_length=1, max_length=255)
    value: str = Field(max_length=4096)


class AttributeOut(WireModel):
    key: str
    value: str


class OrganizationCreate(StrictModel):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = Field(default=None, max_length=4096)
    type: OrgType = "TENANT"
    parentId: str | None = Field(default=None, max_length=64)
    attributes: list[Attribute] = Field(default_factory=list, max_length=100)


class OrganizationPut(StrictModel):
    name: str = Field(min_length=1, max_length=255)
    status: Status
    description: str | None = Field(default=None, max_length=4096)
    attributes: list[Attribute] = Field(default_factory=list, max_length=100)


class PatchItem(StrictModel):
    operation: Literal["ADD", "REMOVE", "REPLACE"]
    path: str = Field(min_length=1, max_length=300)
    value: str | None = Field(default=None, max_length=4096)


class NameCheck(StrictModel):
    name: str = Field(min_length=1, max_length=255)


class NameCheckResult(WireModel):
    available: bool


class ParentRef(WireModel):
    id: str
    ref: str


class OrganizationResponse(WireModel):
    id: str
    name: str
    description: str | None = None
    status: str
    created: str
    lastModified: str
    type: str
    parent: ParentRef | None = None
    attributes: list[AttributeOut] | None = None
    permissions: list[str] | None = None


class OrganizationMetadata(OrganizationResponse):
    discoveryAttributes: list[dict[str, object]] = Field(default_factory=list)


class BasicOrganization(WireModel):
    id: str
    name: str
    status: str
    ref: str
    attributes: list[AttributeOut] | None = None


class OrganizationList(WireModel):
    links: list[Link] = Field(default_factory=list)
    organizations: list[BasicOrganization] = Field(default_factory=list)


class MetaAttributes(WireModel):
    links: list[Link] = Field(default_factory=list)
    attributes: list[str] = Field(default_factory=list)
