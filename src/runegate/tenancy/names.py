"""Organization name rules: 2-63 characters of lowercase letters, digits and hyphens,
starting with a letter (so a name is a valid DNS label and a safe path segment)."""

from __future__ import annotations

import re

ORG_NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{1,62}")
ORG_NAME_RULE = (
    "organization names are 2-63 characters of lowercase letters, digits and hyphens, "
    "starting with a letter"
)


def is_valid_org_name(name: str) -> bool:
    return ORG_NAME_PATTERN.fullmatch(name) is not None


def check_org_name(name: str) -> str:
    if not is_valid_org_name(name):
        raise ValueError(f"invalid organization name {name[:80]!r}: {ORG_NAME_RULE}")
    return name
