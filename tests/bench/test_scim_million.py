"""The million-user SCIM bench's data and requests (the bench itself is not a test)."""

from __future__ import annotations

from urllib.parse import parse_qs
from urllib.parse import urlsplit

from bench.scim_million import PROBES
from bench.scim_million import USER_COLUMNS
from bench.scim_million import _rows
from bench.scim_million import person
from bench.scim_million import probe_paths

from runegate.scim.query import build_query


def test_generated_users_are_unique_and_complete() -> None:
    users, emails, members = _rows("org", ["g1", "g2"], 0, 3000)
    names = [row[USER_COLUMNS.index("user_name")] for row in users]
    assert len(set(names)) == 3000 and all(n == n.lower() for n in names)
    values = [row[4] for row in emails]  # value_ci
    assert len(set(values)) == len(values) == 3000 + 1000  # a home address for one in three
    assert len(members) == 300 and {m[1] for m in members} == {"g1", "g2"}
    assert person(7).user_name != person(8).user_name


def test_probe_paths_are_valid_scim_queries() -> None:
    paths = probe_paths(1000)
    for listed in paths.values():
        assert len(listed) == PROBES
        for path in listed[:20]:
            query = build_query({k: v[0] for k, v in parse_qs(urlsplit(path).query).items()})
            assert query.count <= 100 and query.start_index <= 1000
