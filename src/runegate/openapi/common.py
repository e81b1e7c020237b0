"""Building blocks of the hand-described operations: error formats and helpers."""

from __future__ import annotations

from typing import Any

Json = dict[str, Any]
ORG: Json = {
    "name": "org",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z][a-z0-9-]{1,62}$"},
}
FORM = "application/x-www-form-urlencoded"
NULLABLE_STRING: Json = {"type": ["string", "null"]}


def ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def json_answer(description: str, schema: Json, media: str = "application/json") -> Json:
    return {"description": description, "content": {media: {"schema": schema}}}


def html_answer(description: str) -> Json:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def closed(schema: Json) -> Json:
    """`schema` with `additionalProperties: false` on every object that lists properties:
    request bodies refuse unknown members (the engines answer 400 for them)."""
    if not isinstance(schema, dict):
        return schema
    found = {k: closed(v) if isinstance(v, dict) else v for k, v in schema.items()}
    if "properties" in found:
        found["properties"] = {k: closed(v) for k, v in found["properties"].items()}
        found.setdefault("additionalProperties", False)
    return found


def form_body(properties: dict[str, Json], required: tuple[str, ...] = ()) -> Json:
    schema: Json = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {"required": True, "content": {FORM: {"schema": schema}}}


def strings(*names: str) -> dict[str, Json]:
    return {name: {"type": "string"} for name in names}


def query(*names: str) -> list[Json]:
    return [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in names
    ]


COMPONENTS: dict[str, Json] = {
    "OAuthError": {
        "type": "object",
        "description": "RFC 6749 §5.2",
        "properties": {"error": {"type": "string"}, "error_description": NULLABLE_STRING},
        "required": ["error"],
        "additionalProperties": False,
    },
    "RunegateError": {
        "type": "object",
        "description": "The management error format (also the hosted pages' JSON errors).",
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "description": NULLABLE_STRING,
            "traceId": NULLABLE_STRING,
        },
        "required": ["code", "message"],
        "additionalProperties": False,
    },
    "ScimError": {
        "type": "object",
        "description": "RFC 7644 §3.12",
        "properties": {
            "schemas": {
                "type": "array",
                "items": {"const": "urn:ietf:params:scim:api:messages:2.0:Error"},
            },
            "status": {"type": "string", "pattern": "^[45][0-9][0-9]$"},
            "detail": NULLABLE_STRING,
            "scimType": {"type": "string"},
        },
        "required": ["schemas", "status"],
        "additionalProperties": False,
    },
}
