"""The B2B organizations bench's tree and requests (the bench itself is `make bench-orgs`)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest
from bench.orgs_scale import DEPTH
from bench.orgs_scale import ORG_COLUMNS
from bench.orgs_scale import SWITCH_SCOPES
from bench.orgs_scale import build_tree
from bench.orgs_scale import level_sizes
from bench.orgs_scale import switch_form
from bench.probes import verdict
from bench.wrk import HarnessError
from sqlalchemy import insert

from runegate.storage.db import Database
from runegate.storage.models.organization import Organization
from runegate.storage.repositories.organizations import OrganizationRepository
from runegate.storage.repositories.organizations import SubOrganizations


@pytest.mark.parametrize("total", [5, 500, 9990, 10_000])
def test_every_level_is_populated_and_the_total_is_exact(total: int) -> None:
    sizes = level_sizes(total)
    assert len(sizes) == DEPTH and sum(sizes) == total
    assert all(size >= 1 for size in sizes)
    fan = sizes[0]  # levels 1..4 are full (fan, fan², ...), level 5 takes the rest
    if total > DEPTH:
        assert sizes[:-1] == [fan**d for d in range(1, DEPTH)]
        assert sizes[-1] <= fan**DEPTH
    with pytest.raises(HarnessError):
        level_sizes(DEPTH - 1)


def test_tree_rows_hang_together() -> None:
    tree = build_tree("root", "/root/", 500)
    column = {name: i for i, name in enumerate(ORG_COLUMNS)}
    by_id = {row[column["id"]]: row for row in tree.rows}
    assert len(by_id) == 500 and len({row[column["name"]] for row in tree.rows}) == 500
    assert [len(level) for level in tree.levels] == [1, *level_sizes(500)]
    for row in tree.rows:
        parent = by_id.get(row[column["parent_id"]])
        parent_path = parent[column["path"]] if parent else "/root/"
        parent_depth = parent[column["depth"]] if parent else 0
        assert row[column["path"]] == f"{parent_path}{row[column['id']]}/"
        assert row[column["depth"]] == parent_depth + 1 <= DEPTH
        assert row[column["root_id"]] == "root"
    # Level 5's organizations spread over level 4's: no parent has more than one extra.
    fan = [sum(1 for r in tree.rows if r[column["parent_id"]] == p) for p in tree.levels[4]]
    assert max(fan) - min(fan) <= 1


def test_switch_form_asks_for_the_org_api_scopes() -> None:
    form = switch_form("tok", "org-1")
    assert form["grant_type"] == "organization_switch"
    assert form["switching_organization"] == "org-1" and form["token"] == "tok"
    assert set(form["scope"].split()) == set(SWITCH_SCOPES.split())
    assert all(s.startswith("internal_org_") for s in SWITCH_SCOPES.split())
    assert parse_qs("scope=" + form["scope"])["scope"] == [SWITCH_SCOPES]


def test_verdict_needs_the_p99_and_no_errors() -> None:
    ok = {"errors": 0, "p99_ms": 19.9, "target_p99_ms": 20.0}
    assert verdict(ok) == "PASS"
    assert verdict({**ok, "p99_ms": 20.1}) == "MISS"
    assert verdict({**ok, "errors": 1}) == "MISS"


async def test_loaded_tree_is_what_the_storage_layer_walks(db: Database) -> None:
    """The bulk-loaded rows follow the storage layer's path rules: children and
    descendants of an organization are found as the API finds them."""
    async with db.write() as session:
        root = await OrganizationRepository(session).create_root("bench-tree")
        tree = build_tree(root.id, root.path, 300)
        rows = [dict(zip(ORG_COLUMNS, row, strict=True)) for row in tree.rows]
        for row in rows:
            row["attributes"], row["rate_limits"] = json.loads(row["attributes"]), {}
        await session.execute(insert(Organization), rows)
    async with db.read() as session:
        orgs = SubOrganizations(session, root_id=root.id, org_id=root.id)
        top = await orgs.find(tree.levels[1][0])
        assert top is not None
        children = await orgs.rows(orgs.below(top, recursive=False))
        descendants = await orgs.rows(orgs.below(top, recursive=True))
        everything = await orgs.rows(orgs.below(await orgs.acting(), recursive=True))
    assert {o.parent_id for o in children} == {top.id}
    assert len(everything) == 300
    expected = [row for row in rows if row["path"].startswith(top.path) and row["id"] != top.id]
    assert sorted(o.id for o in descendants) == sorted(row["id"] for row in expected)
    assert {o.depth for o in descendants} == set(range(2, DEPTH + 1))
