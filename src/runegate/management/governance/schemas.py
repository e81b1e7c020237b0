"""Wire shapes of the identity governance API (Asgardeo's `identity-governance.yaml`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field


class PropertyRes(BaseModel):
    name: str
    value: str
    displayName: str | None = None
    description: str | None = None


class ConnectorRes(BaseModel):
    id: str
    name: str
    category: str
    friendlyName: str
    order: int = 0
    subCategory: str = "DEFAULT"
    properties: list[PropertyRes]


class CategoryConnectorsRes(BaseModel):
    id: str
    self: str


class CategoriesRes(BaseModel):
    id: str
    name: str
    self: str
    connectors: list[CategoryConnectorsRes]


class CategoryRes(BaseModel):
    name: str
    connectors: list[ConnectorRes]


class PropertyReq(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=255)
    value: str = Field(max_length=255)


class ConnectorsPatchReq(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Literal["UPDATE"]
    properties: list[PropertyReq] = Field(max_length=100)


class ConnectorReq(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(max_length=255)
    properties: list[PropertyReq] = Field(max_length=100)


class MultipleConnectorsPatchReq(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operation: Literal["UPDATE"]
    connectors: list[ConnectorReq] = Field(max_length=20)


class PropertyRevertReq(BaseModel):
    model_config = ConfigDict(extra="forbid")

    properties: list[str] = Field(min_length=1, max_length=100)
