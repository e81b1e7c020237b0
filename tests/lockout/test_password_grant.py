"""Account lockout on the password grant (issue 9): five failures lock, the answer never
tells a locked or unknown user from a wrong password, a success resets the count."""

from __future__ import annotations

from tests.conftest import AppFactory
from tests.lockout.conftest import Org
from tests.lockout.conftest import is_locked
from tests.lockout.conftest import open_org


async def test_five_failures_lock_the_account(org: Org) -> None:
    alice = await org.admin.user("alice")
    await org.fail("alice", 4)
    assert not is_locked(await org.scim_user(alice))
    assert (await org.password("alice")).status_code == 200  # not locked after four
    await org.fail("alice", 5)
    locked = await org.password("alice")  # the right password, while locked
    wrong = await org.password("alice", "Wrong-Passw0rd")
    unknown = await org.password("nobody-here")
    for response in (locked, wrong, unknown):
        assert response.status_code == 400, response.text
        assert response.json() == {
            "error": "invalid_grant",
            "error_description": "The user credentials are invalid.",
        }
    assert is_locked(await org.scim_user(alice))
    events = await org.audit("user.lock")
    assert [e["targetId"] for e in events] == [alice]
    failures = await org.audit("user.sign_in")
    assert any(e["reason"] == "account locked" for e in failures)


async def test_unknown_names_lock_like_real_users(org: Org) -> None:
    """The answers for an unknown name and for a real user are the same at every step."""
    await org.admin.user("bob")
    for _ in range(6):
        real = await org.password("bob", "Wrong-Passw0rd")
        ghost = await org.password("ghost", "Wrong-Passw0rd")
        assert (real.status_code, real.json()) == (ghost.status_code, ghost.json())
    events = await org.audit("user.lock")
    assert sorted(e["targetId"] for e in events)[-1] == "ghost"  # counted, locked too
    assert len(events) == 2


async def test_a_success_resets_the_count(org: Org) -> None:
    await org.admin.user("carol")
    await org.fail("carol", 4)
    assert (await org.password("carol")).status_code == 200
    await org.fail("carol", 4)
    assert (await org.password("carol")).status_code == 200
    assert await org.audit("user.lock") == []


async def test_failures_are_counted_in_the_database_across_workers(make_app: AppFactory) -> None:
    """Two app instances (two workers) on one database share the count."""
    _app, http = await make_app()
    _other, other_http = await make_app()
    org = await open_org(http)
    await org.admin.user("dave")
    for attempt in range(5):
        await org.fail("dave", 1, http=http if attempt % 2 else other_http)
    assert (await org.password("dave", http=other_http)).status_code == 400
    assert (await org.password("dave", http=http)).status_code == 400
    assert len(await org.audit("user.lock")) == 1


async def test_organizations_are_isolated(make_app: AppFactory) -> None:
    _app, http = await make_app()
    _other, other_http = await make_app(root_org="other")
    first, second = await open_org(http), await open_org(other_http, "other")
    alice_a = await first.admin.user("alice")
    alice_b = await second.admin.user("alice")
    await first.fail("alice", 5)
    assert (await first.password("alice")).status_code == 400
    assert (await second.password("alice")).status_code == 200
    assert is_locked(await first.scim_user(alice_a))
    assert not is_locked(await second.scim_user(alice_b))
    # Org B's policy does not change org A's.
    changed = await second.set_policy(enable="false")
    assert changed.status_code == 200, changed.text
    await first.admin.user("erin")
    await first.fail("erin", 5)
    assert (await first.password("erin")).status_code == 400
    assert await second.audit("user.lock") == []
