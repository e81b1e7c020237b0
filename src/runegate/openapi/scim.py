"""SCIM 2.0 (RFC 7643, RFC 7644) under `/t/{org}/scim2`: Users, Groups, Me, search, Bulk,
discovery, and Roles v2 under `/t/{org}/scim2/v2/Roles`."""

from __future__ import annotations

from runegate.openapi.common import ORG
from runegate.openapi.common import Json
from runegate.openapi.common import closed
from runegate.openapi.common import json_answer
from runegate.openapi.common import query
from runegate.openapi.common import ref

SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ROLE_SCHEMA = "urn:ietf:params:scim:schemas:extension:2.0:Role"
ERROR = json_answer("RFC 7644 §3.12 error", ref("ScimError"), SCIM)
BEARER: list[Json] = [{"bearer": []}]
LIST_PARAMS = ("filter", "sortBy", "attributes")
PAGING: list[Json] = [
    {"name": n, "in": "query", "required": False, "schema": {"type": "integer"}}
    for n in ("startIndex", "count")
]
RID: Json = {"name": "rid", "in": "path", "required": True, "schema": {"type": "string"}}
ATTRIBUTES = query("attributes", "excludedAttributes")


def strings_array() -> Json:
    return {"type": "array", "items": {"type": "string"}}


def schemas_of(*urns: str) -> Json:
    """The `schemas` attribute (RFC 7643 §3): the core URN first, then extensions."""
    return {"type": "array", "items": {"enum": list(urns)}, "minItems": 1, "uniqueItems": True}


MESSAGES = "urn:ietf:params:scim:api:messages:2.0"


def values_array(**extra: Json) -> Json:
    item = {"type": "object", "properties": {"value": {"type": "string"}, **extra}}
    return {"type": "array", "items": item}


SCIM_SCHEMAS: dict[str, Json] = {
    "ScimResource": {
        "type": "object",
        "properties": {
            "schemas": strings_array(),
            "id": {"type": "string"},
            "meta": {"type": "object"},
        },
        "required": ["schemas", "id"],
    },
    "ScimListResponse": {
        "type": "object",
        "properties": {
            "schemas": strings_array(),
            "totalResults": {"type": "integer", "minimum": 0},
            "startIndex": {"type": "integer", "minimum": 1},
            "itemsPerPage": {"type": "integer", "minimum": 0},
            "Resources": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["schemas", "totalResults"],
    },
    "ScimUser": {
        "type": "object",
        "properties": {
            "schemas": schemas_of(USER_SCHEMA, ENTERPRISE_SCHEMA),
            "userName": {"type": "string", "minLength": 1},
            "externalId": {"type": "string"},
            "displayName": {"type": "string"},
            "active": {"type": "boolean"},
            "password": {"type": "string"},
            "name": {
                "type": "object",
                "properties": {
                    "givenName": {"type": "string"},
                    "familyName": {"type": "string"},
                    "formatted": {"type": "string"},
                },
            },
            "emails": values_array(primary={"type": "boolean"}, type={"type": "string"}),
            "phoneNumbers": values_array(type={"type": "string"}),
            "groups": values_array(),
        },
        "required": ["schemas", "userName"],
    },
    "ScimGroup": {
        "type": "object",
        "properties": {
            "schemas": schemas_of(GROUP_SCHEMA),
            "displayName": {"type": "string", "minLength": 1},
            "externalId": {"type": "string"},
            "members": values_array(display={"type": "string"}),
        },
        "required": ["schemas", "displayName"],
    },
    "ScimRole": {
        "type": "object",
        "properties": {
            "schemas": schemas_of(ROLE_SCHEMA),
            "displayName": {"type": "string"},
            "audience": {
                "type": "object",
                "properties": {"type": {"type": "string"}, "value": {"type": "string"}},
            },
            "permissions": values_array(),
            "users": values_array(),
            "groups": values_array(),
        },
        "required": ["displayName"],
    },
    "ScimPatchOp": {
        "type": "object",
        "properties": {
            "schemas": schemas_of(f"{MESSAGES}:PatchOp"),
            "Operations": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "op": {"type": "string", "enum": ["add", "remove", "replace"]},
                        "path": {"type": "string"},
                        "value": {},
                    },
                    "required": ["op"],
                },
            },
        },
        "required": ["schemas", "Operations"],
    },
    "ScimSearchRequest": {
        "type": "object",
        "properties": {
            "schemas": schemas_of(f"{MESSAGES}:SearchRequest"),
            "filter": {"type": "string"},
            "startIndex": {"type": "integer"},
            "count": {"type": "integer"},
            "sortBy": {"type": "string"},
            "sortOrder": {"type": "string", "enum": ["ascending", "descending"]},
            "attributes": strings_array(),
            "excludedAttributes": strings_array(),
        },
        "required": ["schemas"],
    },
    "ScimBulkRequest": {
        "type": "object",
        "properties": {
            "schemas": schemas_of(f"{MESSAGES}:BulkRequest"),
            "failOnErrors": {"type": "integer"},
            "Operations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "method": {"type": "string", "enum": ["POST", "PUT", "PATCH", "DELETE"]},
                        "bulkId": {"type": "string"},
                        "path": {"type": "string"},
                        "version": {"type": "string"},
                        "data": {"type": "object"},
                    },
                    "required": ["method", "path"],
                },
            },
        },
        "required": ["schemas", "Operations"],
    },
    "ScimBulkResponse": {
        "type": "object",
        "properties": {
            "schemas": strings_array(),
            "Operations": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["schemas", "Operations"],
    },
}


REQUESTS = (
    "ScimUser",
    "ScimGroup",
    "ScimRole",
    "ScimPatchOp",
    "ScimSearchRequest",
    "ScimBulkRequest",
)
SCIM_SCHEMAS.update({name: closed(SCIM_SCHEMAS[name]) for name in REQUESTS})


def body(name: str) -> Json:
    return {"required": True, "content": {SCIM: {"schema": ref(name)}}}


def op(summary: str, tag: str, answers: Json, *params: Json, **extra: object) -> Json:
    return {
        "summary": summary,
        "tags": [tag],
        "parameters": [ORG, *params],
        "responses": {**answers, "default": ERROR},
        "security": BEARER,
        **extra,
    }


RESOURCE = {"200": json_answer("The resource", ref("ScimResource"), SCIM)}
CREATED = {"201": json_answer("Created", ref("ScimResource"), SCIM)}
LISTED = {"200": json_answer("ListResponse", ref("ScimListResponse"), SCIM)}
NO_CONTENT = {"204": {"description": "Done"}}
NOT_MODIFIED = {"304": {"description": "Not modified (If-None-Match)"}}


def resource_paths(prefix: str, kind: str, model: str, tag: str) -> dict[str, Json]:
    collection, item = f"{prefix}/{kind}", f"{prefix}/{kind}/{{rid}}"
    return {
        collection: {
            "get": op(f"List {kind}", tag, LISTED, *query(*LIST_PARAMS), *PAGING),
            "post": op(f"Create a {model}", tag, CREATED, *ATTRIBUTES, requestBody=body(model)),
        },
        f"{collection}/.search": {
            "post": op(f"Search {kind}", tag, LISTED, requestBody=body("ScimSearchRequest"))
        },
        item: {
            "get": op("Read", tag, {**RESOURCE, **NOT_MODIFIED}, RID, *ATTRIBUTES),
            "put": op("Replace", tag, RESOURCE, RID, requestBody=body(model)),
            "patch": op(
                "Modify (RFC 7644 §3.5.2)",
                tag,
                {**RESOURCE, **NO_CONTENT},
                RID,
                requestBody=body("ScimPatchOp"),
            ),
            "delete": op("Delete", tag, NO_CONTENT, RID),
        },
    }


BASE = "/t/{org}/scim2"
DOCUMENT = {"200": json_answer("Discovery document", {"type": "object"}, SCIM)}
ID = {"type": "string"}

SCIM_PATHS: dict[str, Json] = {
    **resource_paths(BASE, "Users", "ScimUser", "SCIM Users"),
    **resource_paths(BASE, "Groups", "ScimGroup", "SCIM Groups"),
    **resource_paths(f"{BASE}/v2", "Roles", "ScimRole", "SCIM Roles"),
    f"{BASE}/Me": {
        "get": op("The caller's user", "SCIM Me", {**RESOURCE, **NOT_MODIFIED}, *ATTRIBUTES),
        "put": op("Replace the caller's user", "SCIM Me", RESOURCE, requestBody=body("ScimUser")),
        "patch": op(
            "Modify the caller's user",
            "SCIM Me",
            {**RESOURCE, **NO_CONTENT},
            requestBody=body("ScimPatchOp"),
        ),
    },
    f"{BASE}/.search": {
        "post": op(
            "Search every resource type", "SCIM", LISTED, requestBody=body("ScimSearchRequest")
        )
    },
    f"{BASE}/Bulk": {
        "post": op(
            "Bulk (RFC 7644 §3.7)",
            "SCIM",
            {"200": json_answer("BulkResponse", ref("ScimBulkResponse"), SCIM)},
            requestBody=body("ScimBulkRequest"),
        )
    },
    f"{BASE}/ServiceProviderConfig": {
        "get": op("Service provider configuration", "SCIM", DOCUMENT)
    },
    f"{BASE}/Schemas": {"get": op("Schemas", "SCIM", LISTED)},
    f"{BASE}/Schemas/{{schema_id}}": {
        "get": op(
            "One schema",
            "SCIM",
            DOCUMENT,
            {"name": "schema_id", "in": "path", "required": True, "schema": ID},
        )
    },
    f"{BASE}/ResourceTypes": {"get": op("Resource types", "SCIM", LISTED)},
    f"{BASE}/ResourceTypes/{{type_id}}": {
        "get": op(
            "One resource type",
            "SCIM",
            DOCUMENT,
            {"name": "type_id", "in": "path", "required": True, "schema": ID},
        )
    },
}
