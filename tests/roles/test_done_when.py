"""Issue 7's "done when", end to end over HTTP: group role, removal, direct role."""

from __future__ import annotations

from tests.roles.conftest import Admin
from tests.roles.conftest import bookings
from tests.roles.conftest import granted

BOTH = "bookings:read bookings:write"


async def test_role_through_group_then_direct(admin: Admin) -> None:
    found = await bookings(admin)
    app, user, group, role = found.app, found.user, found.group, found.role
    # No role yet: authorized for both, granted neither.
    assert await granted(admin.http, app, "kate", BOTH) == set()
    # The role through the group.
    added = await admin.patch_role(role["id"], {"op": "add", "path": "groups", "value": [group]})
    assert added.status_code == 200, added.text
    assert await granted(admin.http, app, "kate", BOTH) == {"bookings:read"}
    # Out of the group: the next token loses the scope.
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": f'members[value eq "{user}"]'}],
    }
    removed = await admin.call("PATCH", f"/t/default/scim2/Groups/{group}", json=patch)
    assert removed.status_code == 200, removed.text
    assert await granted(admin.http, app, "kate", BOTH) == set()
    # The role assigned directly restores it.
    direct = await admin.patch_role(role["id"], {"op": "add", "path": "users", "value": [user]})
    assert direct.status_code == 200, direct.text
    assert await granted(admin.http, app, "kate", BOTH) == {"bookings:read"}
    # Both at once still grants read only; the role never adds write.
    await admin.call(
        "PATCH",
        f"/t/default/scim2/Groups/{group}",
        json={
            **patch,
            "Operations": [{"op": "add", "path": "members", "value": [{"value": user}]}],
        },
    )
    assert await granted(admin.http, app, "kate", BOTH) == {"bookings:read"}
    # Role removed from the user and group: nothing again.
    cleared = await admin.patch_role(
        role["id"], {"op": "remove", "path": "users"}, {"op": "remove", "path": "groups"}
    )
    assert cleared.status_code == 200
    assert await granted(admin.http, app, "kate", BOTH) == set()
