"""Where each SCIM attribute lives in the database, for filters and sorting.

Dedicated columns hold the attributes clients filter on most (userName, emails, ...);
every other singular attribute is read from the stored profile document with a JSON
path expression (JSON_EXTRACT on SQLite, `#>>` on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from typing import Any

from scim2_models import Extension
from scim2_models.path import AttributeBinding
from scim2_models.path import AttrPath
from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import select
from sqlalchemy import true

from runegate.scim.errors import InvalidFilter
from runegate.storage.models.user import Group
from runegate.storage.models.user import GroupMember
from runegate.storage.models.user import User
from runegate.storage.models.user import UserEmail


@dataclass(frozen=True)
class Column:
    expr: Any  # a column or SQL expression
    is_text: bool = True
    folded: bool = False  # the column already holds lower-case values
    domain_prefixed: bool = False  # values may be written `DEFAULT/name`
    json_datetime: bool = False

    def present(self) -> ColumnElement[bool]:
        expr: ColumnElement[Any] = self.expr
        if self.is_text:
            return (expr.is_not(None)) & (expr != "")
        return expr.is_not(None)


@dataclass(frozen=True)
class Collection:
    """A multi-valued attribute kept in its own table, filtered through EXISTS."""

    name: str
    columns: dict[str, Column]
    exists_where: Callable[[ColumnElement[bool]], ColumnElement[bool]]
    attr_path: AttrPath | None = None  # set by `scoped` for a value filter
    dynamic: Callable[[AttributeBinding], Column] | None = None  # document arrays

    def column(self, binding: AttributeBinding) -> Column:
        if self.dynamic is not None:
            return self.dynamic(binding)
        sub = binding.sub_field_name or "value"
        if sub not in self.columns:
            raise InvalidFilter(f"Filtering on {self.name}.{sub} is not supported.")
        return self.columns[sub]

    def exists(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return self.exists_where(condition)

    def scoped(self, attr_path: AttrPath) -> Collection:
        return replace(self, attr_path=attr_path)


@dataclass(frozen=True)
class ResourceColumns:
    row: Any  # the mapped class (User or Group)
    singles: dict[tuple[str, str | None], Column]
    collections: dict[str, Collection]
    core_schema: str
    extensions: tuple[str, ...] = ()
    default_sort: Any = None  # the listing order without sortBy (then the id)

    def single(self, binding: AttributeBinding) -> Column:
        key = (binding.field_name, binding.sub_field_name)
        if key in self.singles:
            return self.singles[key]
        if binding.field_name in ("meta", "schemas", "password"):
            raise InvalidFilter(f"Filtering on {binding.urn[-80:]!r} is not supported.")
        return _json_column(self.row.attributes, binding)

    def collection(self, binding: AttributeBinding, dialect: str) -> Collection:
        if binding.field_name in self.collections:
            return self.collections[binding.field_name]
        from runegate.scim.documents import document_collection

        return document_collection(self.row.attributes, binding, dialect)

    def schemas(self, op: str, value: Any) -> ColumnElement[bool]:
        """`schemas eq "<urn>"`: the core schema always, an extension when present."""
        if op != "eq" or not isinstance(value, str):
            raise InvalidFilter("schemas only supports eq with a schema URN.")
        if value.lower() == self.core_schema.lower():
            return true()
        for urn in self.extensions:
            if value.lower() == urn.lower():
                return self.row.attributes[(urn,)].as_string().is_not(None)  # type: ignore[no-any-return]
        return false()


def json_keys(binding: AttributeBinding) -> tuple[str, ...]:
    schema = str(binding.model.__schema__)  # type: ignore[attr-defined]
    keys = tuple(binding.urn[len(schema) + 1 :].split("."))
    return (schema, *keys) if issubclass(binding.model, Extension) else keys


def _json_column(document: Any, binding: AttributeBinding) -> Column:
    target = binding.target_type
    element = document[json_keys(binding)]
    if target is bool:
        return Column(element.as_boolean(), is_text=False)
    if target is int:
        return Column(element.as_integer(), is_text=False)
    if target is float:
        return Column(element.as_float(), is_text=False)
    if target is datetime:
        return Column(element.as_string(), is_text=False, json_datetime=True)
    return Column(element.as_string())


def _email_exists(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(UserEmail.user_id).where(
            UserEmail.user_id == User.id, UserEmail.org_id == User.org_id, condition
        )
    )


def _user_groups_exists(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(GroupMember.group_id)
        .join(Group, Group.id == GroupMember.group_id)
        .where(GroupMember.user_id == User.id, GroupMember.org_id == User.org_id, condition)
    )


def _members_exists(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(GroupMember.user_id)
        .join(User, User.id == GroupMember.user_id)
        .where(GroupMember.group_id == Group.id, GroupMember.org_id == Group.org_id, condition)
    )


USER_COLUMNS = ResourceColumns(
    row=User,
    singles={
        ("id", None): Column(User.id),
        ("external_id", None): Column(User.external_id),
        ("user_name", None): Column(User.user_name_ci, folded=True, domain_prefixed=True),
        ("display_name", None): Column(User.display_name),
        ("name", "given_name"): Column(User.given_name),
        ("name", "family_name"): Column(User.family_name),
        ("active", None): Column(User.active, is_text=False),
        ("meta", "created"): Column(User.created_at, is_text=False),
        ("meta", "last_modified"): Column(User.updated_at, is_text=False),
    },
    collections={
        "emails": Collection(
            "emails",
            {
                "value": Column(UserEmail.value_ci, folded=True),
                "type": Column(UserEmail.type),
                "primary": Column(UserEmail.primary, is_text=False),
            },
            _email_exists,
        ),
        "groups": Collection(
            "groups",
            {
                "value": Column(GroupMember.group_id),
                "display": Column(Group.display_name_ci, folded=True, domain_prefixed=True),
            },
            _user_groups_exists,
        ),
    },
    core_schema="urn:ietf:params:scim:schemas:core:2.0:User",
    extensions=("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",),
    default_sort=User.user_name_ci,
)

GROUP_COLUMNS = ResourceColumns(
    row=Group,
    singles={
        ("id", None): Column(Group.id),
        ("external_id", None): Column(Group.external_id),
        ("display_name", None): Column(Group.display_name_ci, folded=True, domain_prefixed=True),
        ("meta", "created"): Column(Group.created_at, is_text=False),
        ("meta", "last_modified"): Column(Group.updated_at, is_text=False),
    },
    collections={
        "members": Collection(
            "members",
            {
                "value": Column(GroupMember.user_id),
                "display": Column(GroupMember.display),
            },
            _members_exists,
        ),
    },
    core_schema="urn:ietf:params:scim:schemas:core:2.0:Group",
    default_sort=Group.display_name_ci,
)
