"""Two-organization isolation: organization B can never read, update or delete A's rows,
through any repository method (STYLE §3). Runs on every configured backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from runegate.errors import NotFound
from runegate.storage.db import Database
from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.models.user import Group
from runegate.storage.models.user import User
from runegate.storage.repositories.api_resources import ApiResourceRepository
from runegate.storage.repositories.api_resources import ScopeRepository
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.storage.repositories.users import GroupRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import provision_org


@dataclass
class Orgs:
    a: TenantContext
    b: TenantContext
    user_a: str
    group_a: str
    app_a: str
    api_a: str
    scope_a: str


@pytest.fixture
async def orgs(db: Database) -> AsyncIterator[Orgs]:
    async with db.write() as s:
        a = (await provision_org(s, "org-a", base_url="http://x")).tenant
        b = (await provision_org(s, "org-b", base_url="http://x")).tenant
        user = await UserRepository(s, tenant=a).add(User(user_name="alice"))
        group = await GroupRepository(s, tenant=a).add(Group(display_name="staff"))
        await GroupRepository(s, tenant=a).set_members(group.id, [user.id])
        app = await ApplicationRepository(s, tenant=a).add(
            Application(name="app", client_id="client-a")
        )
        api = await ApiResourceRepository(s, tenant=a).add(
            ApiResource(name="bookings", identifier="https://bookings")
        )
        scope = await ScopeRepository(s, tenant=a).add(
            ApiScope(api_resource_id=api.id, name="bookings:read")
        )
        await ApplicationRepository(s, tenant=a).authorize(app.id, api.id, [scope])
    yield Orgs(a, b, user.id, group.id, app.id, api.id, scope.id)


async def test_users_are_isolated(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        repo_b = UserRepository(s, tenant=orgs.b)
        assert await repo_b.find(orgs.user_a) is None
        assert await repo_b.find_by_username("alice") is None
        assert "alice" not in [u.user_name for u in await repo_b.list()]
        assert await repo_b.count() == 1  # only B's own administrator
        with pytest.raises(NotFound):
            await repo_b.get(orgs.user_a)
        assert await repo_b.update_where(orgs.user_a, display_name="pwned") == 0
        with pytest.raises(NotFound):
            await repo_b.delete(orgs.user_a)
    async with db.read() as s:
        alice = await UserRepository(s, tenant=orgs.a).get(orgs.user_a)
        assert alice.display_name is None


async def test_same_username_in_two_orgs_is_allowed(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        bob = await UserRepository(s, tenant=orgs.b).add(User(user_name="alice"))
    assert bob.id != orgs.user_a
    assert bob.org_id == orgs.b.org_id


async def test_groups_and_memberships_are_isolated(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        groups_b = GroupRepository(s, tenant=orgs.b)
        assert await groups_b.find(orgs.group_a) is None
        assert list(await groups_b.members(orgs.group_a)) == []
        assert list(await groups_b.groups_of(orgs.user_a)) == []
        with pytest.raises(NotFound):
            await groups_b.set_members(orgs.group_a, [])
        with pytest.raises(NotFound):
            await groups_b.delete(orgs.group_a)
    async with db.write() as s:
        own = await GroupRepository(s, tenant=orgs.b).add(Group(display_name="staff"))
        # A user of organization A cannot be made a member of B's group.
        with pytest.raises(NotFound):
            await GroupRepository(s, tenant=orgs.b).set_members(own.id, [orgs.user_a])
    async with db.read() as s:
        members = await GroupRepository(s, tenant=orgs.a).members(orgs.group_a)
        assert [user.user_name for user, _display in members] == ["alice"]


async def test_applications_and_authorizations_are_isolated(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        apps_b = ApplicationRepository(s, tenant=orgs.b)
        assert await apps_b.find(orgs.app_a) is None
        assert await apps_b.find_by_client_id("client-a") is None
        assert list(await apps_b.authorized_apis(orgs.app_a)) == []
        assert list(await apps_b.authorized_scopes(orgs.app_a)) == []
        assert await apps_b.unauthorize(orgs.app_a, orgs.api_a) == 0
        await apps_b.remove_scopes(orgs.app_a, [orgs.scope_a])
        with pytest.raises(NotFound):
            await apps_b.delete(orgs.app_a)
    async with db.read() as s:
        scopes = await ApplicationRepository(s, tenant=orgs.a).authorized_scopes(orgs.app_a)
        assert [x.name for x in scopes] == ["bookings:read"]


async def test_api_resources_and_scopes_are_isolated(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        apis_b = ApiResourceRepository(s, tenant=orgs.b)
        scopes_b = ScopeRepository(s, tenant=orgs.b)
        assert await apis_b.find(orgs.api_a) is None
        assert await apis_b.find_by_identifier("https://bookings") is None
        assert await scopes_b.find_by_name("bookings:read") is None
        assert list(await scopes_b.of_resource(orgs.api_a)) == []
        with pytest.raises(NotFound):
            await apis_b.delete(orgs.api_a)
        # B may use the same identifier and scope name for its own resource.
        own = await apis_b.add(ApiResource(name="bookings", identifier="https://bookings"))
        await scopes_b.add(ApiScope(api_resource_id=own.id, name="bookings:read"))
    async with db.read() as s:
        assert await ApiResourceRepository(s, tenant=orgs.a).find(orgs.api_a) is not None


async def test_bulk_user_and_group_reads_are_isolated(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        users_b = UserRepository(s, tenant=orgs.b)
        groups_b = GroupRepository(s, tenant=orgs.b)
        assert list(await users_b.find_many([orgs.user_a])) == []
        total, rows = await users_b.page(None, [User.user_name], 0, 100)
        assert "alice" not in [u.user_name for u in rows] and total == len(rows)
        assert await groups_b.find_by_name("staff") is None
        total, groups = await groups_b.page(None, [Group.display_name], 0, 100)
        assert (total, list(groups)) == (0, [])
        assert await groups_b.members_of([orgs.group_a]) == {}
        assert await groups_b.groups_of_users([orgs.user_a]) == {}
        assert await groups_b.member_ids(orgs.group_a) == []
        # Rewriting "alice's" emails from B touches nothing of A's.
        await users_b.replace_emails(orgs.user_a, [{"value": "evil@example.com"}])
    async with db.read() as s:
        users_a = UserRepository(s, tenant=orgs.a)
        assert [u.user_name for u in await users_a.find_many([orgs.user_a])] == ["alice"]
        assert await GroupRepository(s, tenant=orgs.a).member_ids(orgs.group_a) == [orgs.user_a]


async def test_cascading_deletes_are_isolated(db: Database, orgs: Orgs) -> None:
    async with db.write() as s:
        scopes_b = ScopeRepository(s, tenant=orgs.b)
        assert list(await scopes_b.subscribed_application_ids(orgs.api_a)) == []
        await scopes_b.remove_from_authorizations([orgs.scope_a])
        await scopes_b.delete_scopes([orgs.scope_a])
        with pytest.raises(NotFound):
            await scopes_b.delete_resource(orgs.api_a)
    async with db.write() as s:
        with pytest.raises(NotFound):
            await ApplicationRepository(s, tenant=orgs.b).delete_with_authorizations(orgs.app_a)
    async with db.read() as s:
        scopes = await ApplicationRepository(s, tenant=orgs.a).authorized_scopes(orgs.app_a)
        assert [x.name for x in scopes] == ["bookings:read"]
        subscribed = await ScopeRepository(s, tenant=orgs.a).subscribed_application_ids(orgs.api_a)
        assert list(subscribed) == [orgs.app_a]
