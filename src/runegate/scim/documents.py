"""Multi-valued attributes kept only in the stored profile document (phoneNumbers, ims,
addresses, ...), filtered through the database's JSON array functions:
`json_each` on SQLite, `json_array_elements` on PostgreSQL. Paths and values are
bound parameters.
"""

from __future__ import annotations

from typing import Any

from scim2_models.path import AttributeBinding
from sqlalchemy import Boolean
from sqlalchemy import ColumnElement
from sqlalchemy import cast
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select

from runegate.scim.columns import Collection
from runegate.scim.columns import Column
from runegate.scim.columns import json_keys


def _sqlite_path(keys: tuple[str, ...]) -> str:
    return "$" + "".join(f'."{key}"' for key in keys)


def document_collection(document: Any, binding: AttributeBinding, dialect: str) -> Collection:
    """EXISTS over the elements of the array at the binding's head attribute."""
    keys = json_keys(binding)
    if binding.sub_field_name:
        keys = keys[:-1]
    if dialect == "sqlite":
        elements = func.json_each(document, _sqlite_path(keys)).table_valued("value")
    else:
        array = document
        for key in keys:
            array = array.op("->")(key)
        elements = func.json_array_elements(array).table_valued("value")

    def column(sub: AttributeBinding) -> Column:
        name = sub.urn.rsplit(".", 1)[-1] if sub.sub_field_name else "value"
        target = sub.target_type
        if dialect == "sqlite":
            expr: ColumnElement[Any] = func.json_extract(elements.c.value, f'$."{name}"')
        else:
            expr = elements.c.value.op("->>")(name)
            if target is bool:
                expr = cast(expr, Boolean)
        return Column(expr, is_text=target is not bool)

    def where(condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(select(elements.c.value).select_from(elements).where(condition))

    return Collection(binding.field_name, {}, where, dynamic=column)
