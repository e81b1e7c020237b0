"""User store domain prefixes, as Asgardeo writes them (`DEFAULT/alice@example.com`).

Runegate has one user store per organization, named `DEFAULT` (`PRIMARY` is accepted as
WSO2's alias). Names are stored without the prefix; input may carry it.
"""

from __future__ import annotations

from runegate.errors import InvalidInput

DEFAULT_DOMAIN = "DEFAULT"
KNOWN_DOMAINS = frozenset({"DEFAULT", "PRIMARY"})


def is_known_domain(domain: str) -> bool:
    return domain.upper() in KNOWN_DOMAINS


def strip_domain(name: str) -> str:
    """`DEFAULT/alice` → `alice`; a name naming another user store is refused."""
    domain, sep, rest = name.partition("/")
    if not sep:
        return name
    if is_known_domain(domain):
        return rest
    raise InvalidInput(f"Unknown user store domain {domain[:40]!r}; only DEFAULT exists.")


def with_domain(name: str) -> str:
    return f"{DEFAULT_DOMAIN}/{name}"
