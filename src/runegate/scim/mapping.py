"""Rows to SCIM resources and SCIM requests to service profiles.

The stored profile document is the resource as scim2-models dumps it, without `id`,
`meta`, `schemas`, `password`, `groups` and the attributes kept in their own columns.
`userName` and group `displayName` are served without the user store prefix
(Asgardeo writes `DEFAULT/...`; see docs/scim.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from typing import Protocol

from pydantic import ValidationError
from scim2_models import Context
from scim2_models import ResponseParameters
from scim2_models import SCIMException

from runegate.errors import InvalidInput
from runegate.identity.groups import GroupProfile
from runegate.identity.names import strip_domain
from runegate.identity.users import UserProfile
from runegate.identity.users import active_is_set
from runegate.identity.users import profile_document
from runegate.scim.errors import InvalidValue
from runegate.scim.errors import from_scim_exception
from runegate.scim.errors import from_validation
from runegate.scim.models import ENTERPRISE_SCHEMA
from runegate.scim.models import GROUP_SCHEMA
from runegate.scim.models import USER_SCHEMA
from runegate.scim.models import WSO2_SCHEMA
from runegate.scim.models import ScimGroup
from runegate.scim.models import ScimUser
from runegate.storage.models.user import Group
from runegate.storage.models.user import User
from runegate.storage.repositories.users import Member

# `roles` is computed from Roles v2 (roles/holders.py), never stored in the document.
USER_COLUMN_KEYS = ("id", "meta", "schemas", "password", "groups", "roles", "userName", "active")
GROUP_COLUMN_KEYS = ("id", "meta", "schemas", "displayName", "members", "roles")
RoleRefs = Sequence[dict[str, str]]

# True is state kept by identity/lockout.py (never stored); a written false is kept.
ACCOUNT_LOCKED = "accountLocked"


class GroupShown(Protocol):
    """What a User shows of each of its groups (a Group row, or scim/user_extras.py)."""

    @property
    def id(self) -> str: ...

    @property
    def display_name(self) -> str: ...


def etag(version: int) -> str:
    return f'W/"{version}"'


def iso_time(value: Any) -> str:
    """RFC 7643 §2.3.5 dateTime in UTC with `Z` (SQLite returns naive UTC datetimes)."""
    text = str(value.isoformat())
    return text.replace("+00:00", "Z") if text.endswith("+00:00") else text + "Z"


def _meta(kind: str, row: User | Group, location: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "created": iso_time(row.created_at),
        "lastModified": iso_time(row.updated_at),
        "location": location,
        "version": etag(row.version),
    }


def user_dict(
    user: User,
    groups: Sequence[GroupShown],
    base: str,
    roles: RoleRefs = (),
    *,
    locked: bool = False,
) -> dict[str, Any]:
    """The full resource as a plain dict (before attribute selection); `accountLocked`
    is true while the account is locked, else as last written (false or absent)."""
    doc = {k: v for k, v in profile_document(user).items() if k != "roles"}
    if locked:
        doc[WSO2_SCHEMA] = {**(doc.get(WSO2_SCHEMA) or {}), ACCOUNT_LOCKED: True}
    schemas = [USER_SCHEMA] + [urn for urn in (ENTERPRISE_SCHEMA, WSO2_SCHEMA) if urn in doc]
    body: dict[str, Any] = {"schemas": schemas, "id": user.id, **doc}
    body["userName"] = user.user_name
    if active_is_set(user):
        body["active"] = user.active
    if user.external_id is not None:
        body["externalId"] = user.external_id
    if user.emails:
        body["emails"] = user.emails
    if groups:
        body["groups"] = [
            {"value": g.id, "display": g.display_name, "$ref": f"{base}/Groups/{g.id}"}
            for g in groups
        ]
    if roles:
        body["roles"] = list(roles)
    body["meta"] = _meta("User", user, f"{base}/Users/{user.id}")
    return body


def group_dict(
    group: Group, members: Sequence[Member], base: str, roles: RoleRefs = ()
) -> dict[str, Any]:
    attributes = {k: v for k, v in group.attributes.items() if k != "roles"}
    body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "id": group.id, **attributes}
    body["displayName"] = group.display_name
    if group.external_id is not None:
        body["externalId"] = group.external_id
    if members:
        body["members"] = [_member(user, display, base) for user, display in members]
    if roles:
        body["roles"] = list(roles)
    body["meta"] = _meta("Group", group, f"{base}/Groups/{group.id}")
    return body


def _member(user: User, display: str | None, base: str) -> dict[str, Any]:
    item = {"value": user.id, "$ref": f"{base}/Users/{user.id}", "type": "User"}
    return {**item, "display": display} if display is not None else item


def render(model: Any, body: dict[str, Any], params: ResponseParameters[Any] | None) -> Any:
    """Serialize for a response: `returned` rules and attributes/excludedAttributes."""
    resource = model.model_validate(body)
    return resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=params)


def render_listed(model: Any, body: dict[str, Any], params: ResponseParameters[Any] | None) -> Any:
    """List pages: the stored document was validated when written and holds nothing
    `returned: never`, so without attribute selection it is served as built (about
    1 ms per resource saved); with a selection it goes through `render`."""
    return body if params is None else render(model, body, params)


def validate(model: Any, body: Any, ctx: Context) -> Any:
    """Validate a request body in its RFC 7644 context (read-only attributes, types)."""
    if not isinstance(body, dict):
        raise from_scim_exception(_syntax("The body must be a JSON object."))
    try:
        return model.model_validate(body, scim_ctx=ctx)
    except ValidationError as exc:
        raise from_validation(exc) from exc
    except SCIMException as exc:
        raise from_scim_exception(exc) from exc


def _syntax(detail: str) -> SCIMException:
    from scim2_models import InvalidSyntaxException

    return InvalidSyntaxException(detail=detail)


def _dump(resource: Any) -> dict[str, Any]:
    data: dict[str, Any] = resource.model_dump(
        scim_ctx=None, by_alias=True, exclude_none=True, mode="json"
    )
    for key, value in list(data.items()):
        if key.startswith("urn:") and isinstance(value, dict):
            value.pop("schemas", None)
            if not value:
                data.pop(key)
    return data


def _bounded(value: Any, what: str, limit: int = 255) -> Any:
    """Refuse values longer than their column (PostgreSQL would refuse the row with a
    500; SQLite would store them): found by the hostile-input corpus."""
    if isinstance(value, str) and len(value) > limit:
        raise InvalidValue(f"{what} is longer than {limit} characters.")
    return value


def _name(raw: str | None, what: str) -> str:
    if not raw or not raw.strip():
        raise InvalidValue(f"{what} is required.")
    _bounded(raw, what)
    try:
        return strip_domain(raw)
    except InvalidInput as exc:
        raise InvalidValue(exc.description) from exc


def _emails(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for item in items:
        _bounded(item.get("value"), "emails.value", 320)
        _bounded(item.get("type"), "emails.type", 64)
    return items


def user_profile(resource: Any) -> tuple[UserProfile, str | None, bool]:
    """(profile, password, askPassword) from a validated ScimUser."""
    data = _dump(resource)
    wso2 = data.get(WSO2_SCHEMA) or {}
    password = data.get("password")
    name = data.get("name") or {}
    profile = UserProfile(
        user_name=_name(data.get("userName"), "userName"),
        active=data.get("active"),
        external_id=_bounded(data.get("externalId"), "externalId"),
        given_name=_bounded(name.get("givenName"), "name.givenName"),
        family_name=_bounded(name.get("familyName"), "name.familyName"),
        display_name=_bounded(data.get("displayName"), "displayName"),
        emails=_emails(list(data.get("emails") or [])),
    )
    profile.document = {
        k: v for k, v in data.items() if k not in (*USER_COLUMN_KEYS, "emails", "externalId")
    }
    if wso2.get(ACCOUNT_LOCKED) is True:  # the lock itself is state (identity/lockout.py)
        rest = {k: v for k, v in wso2.items() if k != ACCOUNT_LOCKED}
        profile.document.pop(WSO2_SCHEMA)
        if rest:
            profile.document[WSO2_SCHEMA] = rest
    return profile, password, bool(wso2.get("askPassword"))


def requested_lock(resource: Any) -> bool | None:
    """The `urn:scim:wso2:schema` accountLocked value a request body carries, if any."""
    value = (_dump(resource).get(WSO2_SCHEMA) or {}).get(ACCOUNT_LOCKED)
    return value if isinstance(value, bool) else None


def group_profile(resource: Any) -> GroupProfile:
    data = _dump(resource)
    members = data.get("members") or []
    for member in members:
        if member.get("type") not in (None, "User") or not member.get("value"):
            raise InvalidValue("Group members must be users given by their id (value).")
    return GroupProfile(
        display_name=_name(data.get("displayName"), "displayName"),
        external_id=_bounded(data.get("externalId"), "externalId"),
        member_ids=[str(m["value"]) for m in members],
        displays={
            str(m["value"]): _bounded(str(m["display"]), "members.display")
            for m in members
            if m.get("display")
        },
        document={k: v for k, v in data.items() if k not in (*GROUP_COLUMN_KEYS, "externalId")},
    )


def user_model() -> Any:
    return ScimUser


def group_model() -> Any:
    return ScimGroup
