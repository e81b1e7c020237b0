"""Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas.

Public, and true to what is implemented (sort and ETags are supported, unlike what
Asgardeo advertises; see docs/compatibility.md).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from scim2_models import AuthenticationScheme
from scim2_models import Bulk
from scim2_models import ChangePassword
from scim2_models import Context
from scim2_models import EnterpriseUser
from scim2_models import ETag
from scim2_models import Filter
from scim2_models import Pagination
from scim2_models import Patch
from scim2_models import ResourceType
from scim2_models import ServiceProviderConfig
from scim2_models import Sort

from runegate.scim.cursor import CURSOR_TIMEOUT
from runegate.scim.errors import ResourceNotFound
from runegate.scim.models import ScimGroup
from runegate.scim.models import ScimUser
from runegate.scim.models import Wso2User
from runegate.scim.query import MAX_RESULTS

MAX_OPERATIONS = 1000
MAX_PAYLOAD_SIZE = 1_048_576


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)  # type: ignore[no-any-return]


def _meta(base: str, kind: str, path: str) -> dict[str, str]:
    return {"resourceType": kind, "location": f"{base}/{path}"}


def service_provider_config(base: str) -> dict[str, Any]:
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=True, max_operations=MAX_OPERATIONS, max_payload_size=MAX_PAYLOAD_SIZE),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=True),
        sort=Sort(supported=True),
        etag=ETag(supported=True),
        # RFC 9865 §4: both methods; index stays the default (RFC 9865 §2.5).
        pagination=Pagination(
            cursor=True,
            index=True,
            default_pagination_method=Pagination.DefaultPaginationMethod.index,
            default_page_size=MAX_RESULTS,
            max_page_size=MAX_RESULTS,
            cursor_timeout=CURSOR_TIMEOUT,
        ),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="RFC 6750 bearer access tokens from /oauth2/token.",
                spec_uri="https://www.rfc-editor.org/rfc/rfc6750",
                primary=True,
            )
        ],
    )
    body = _dump(config)
    body["meta"] = _meta(base, "ServiceProviderConfig", "ServiceProviderConfig")
    return body


@cache
def _schema_bodies() -> tuple[dict[str, Any], ...]:
    models: list[Any] = [ScimUser, EnterpriseUser, Wso2User, ScimGroup]
    return tuple(_dump(model.to_schema()) for model in models)


def schemas(base: str) -> list[dict[str, Any]]:
    bodies = []
    for body in _schema_bodies():
        item = dict(body)
        item["meta"] = _meta(base, "Schema", f"Schemas/{item['id']}")
        bodies.append(item)
    return bodies


def schema(base: str, schema_id: str) -> dict[str, Any]:
    for body in schemas(base):
        if body["id"] == schema_id:
            return body
    raise ResourceNotFound(f"No schema {schema_id[:120]!r}.")


def resource_types(base: str) -> list[dict[str, Any]]:
    bodies = []
    for model in (ScimUser, ScimGroup):
        body = _dump(ResourceType.from_resource(model))
        body["meta"] = _meta(base, "ResourceType", f"ResourceTypes/{body['id']}")
        bodies.append(body)
    return bodies


def resource_type(base: str, type_id: str) -> dict[str, Any]:
    for body in resource_types(base):
        if body["id"] == type_id:
            return body
    raise ResourceNotFound(f"No resource type {type_id[:120]!r}.")
