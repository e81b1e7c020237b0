"""Identity services on real databases: two-tenant isolation, passwords, revocation."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from runegate.errors import NotFound
from runegate.identity import groups
from runegate.identity import lockout
from runegate.identity import users
from runegate.identity.errors import PreconditionFailed
from runegate.identity.errors import UnknownMember
from runegate.identity.errors import WeakPassword
from runegate.identity.passwords import PasswordPolicy
from runegate.identity.passwords import prehashed
from runegate.identity.revocation import revoke_user_tokens
from runegate.storage.db import Database
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.storage.models.user import User
from runegate.storage.models.user import UserEmail
from runegate.storage.repositories.base import SeekOrder
from runegate.storage.repositories.lockout import SignInCounterRepository
from runegate.storage.repositories.users import GroupRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.context import TenantContext
from runegate.tenancy.service import provision_org

PASSWORD = "Correct-H0rse"


async def _tenant(db: Database, name: str) -> TenantContext:
    async with db.write() as session:
        return (
            await provision_org(session, name, base_url="http://x", admin_password=PASSWORD)
        ).tenant


@pytest.fixture
async def tenants(db: Database) -> tuple[TenantContext, TenantContext]:
    return await _tenant(db, "alpha"), await _tenant(db, "beta")


def profile(name: str, email: str | None = None) -> users.UserProfile:
    emails = [{"value": email, "type": "work"}] if email else []
    return users.UserProfile(user_name=name, emails=emails)


async def test_two_tenant_isolation(db: Database, tenants: tuple[TenantContext, ...]) -> None:
    a, b = tenants
    async with db.write() as session:
        user = await users.create_user(session, a, profile("same", "s@x.org"), password=PASSWORD)
        group = await groups.create_group(
            session, a, groups.GroupProfile(display_name="g", member_ids=[user.id])
        )
        other = await users.create_user(session, b, profile("same"))  # same name, other org
    assert other.id != user.id
    async with db.read() as session:
        repo_b = UserRepository(session, tenant=b)
        assert await repo_b.find(user.id) is None
        assert (await repo_b.find_by_username("SAME")).id == other.id  # type: ignore[union-attr]
        assert await GroupRepository(session, tenant=b).find(group.id) is None
        assert await GroupRepository(session, tenant=b).groups_of(user.id) == []
        emails = (await session.execute(select(UserEmail))).scalars().all()
        assert [(e.org_id, e.value_ci) for e in emails] == [(a.org_id, "s@x.org")]
    async with db.write() as session:
        with pytest.raises(NotFound):
            await users.update_user(session, b, user.id, profile("hijack"))
    async with db.write() as session:
        with pytest.raises(NotFound):
            await users.delete_user(session, b, user.id, expected_version=None)
    async with db.write() as session:
        with pytest.raises(NotFound):
            await groups.delete_group(session, b, group.id, expected_version=None)
    async with db.write() as session:
        with pytest.raises(UnknownMember):  # a member from another organization
            await groups.create_group(
                session, b, groups.GroupProfile(display_name="x", member_ids=[user.id])
            )
    async with db.read() as session:
        assert (await users.get_user(session, a, user.id)).user_name == "same"


async def test_pages_and_totals_per_organization(
    db: Database, tenants: tuple[TenantContext, ...]
) -> None:
    """`page` and `total` (the trigger-kept count and the counted one) stay in their
    organization; the count follows inserts and deletes."""
    a, b = tenants  # each already has its administrator
    async with db.write() as session:
        made = [await users.create_user(session, a, profile(f"a{n}")) for n in range(5)]
        await users.create_user(session, b, profile("b0"))
    order = [User.user_name_ci.asc(), User.id.asc()]
    async with db.read() as session:
        repo_a, repo_b = UserRepository(session, tenant=a), UserRepository(session, tenant=b)
        total, rows = await repo_a.page(None, order, 0, 2)  # a full page: counted
        assert total == 6 and [u.user_name for u in rows] == ["a0", "a1"]
        total, rows = await repo_a.page(None, order, 4, 10)  # short page: its own total
        assert total == 6 and [u.user_name for u in rows] == ["a4", "admin"]
        assert (await repo_a.page(None, order, 50, 10)) == (6, [])
        assert (await repo_a.page(None, order, 0, 0)) == (6, [])
        total, rows = await repo_b.page(None, order, 0, 1)
        assert total == 2 and rows[0].org_id == b.org_id
        named_a = User.user_name_ci.like("a%")
        assert (await repo_b.page(named_a, order, 0, 1))[0] == 1  # admin only
        assert (await repo_a.page(named_a, order, 0, 1))[0] == 6
        ids = select(User.id).where(User.org_id == a.org_id)
        assert await repo_a.total(ids, filtered=False) == await repo_a.total(ids, filtered=True)
    async with db.write() as session:
        await users.delete_user(session, a, made[0].id, expected_version=None)
    async with db.read() as session:
        assert (await UserRepository(session, tenant=a).page(None, order, 0, 1))[0] == 5
        assert (await UserRepository(session, tenant=b).page(None, order, 0, 1))[0] == 2


async def test_seek_pages_per_organization(
    db: Database, tenants: tuple[TenantContext, ...]
) -> None:
    """`seek` (keyset pages) and `find_of_kind` stay in their organization: a position
    taken in A walks only A's rows when used with B's repository."""
    a, b = tenants
    async with db.write() as session:
        for n in range(4):
            await users.create_user(session, a, profile(f"a{n}"))
        await users.create_user(session, b, profile("b0"))
        admin_a = await UserRepository(session, tenant=a).find_by_username("admin")
        assert admin_a is not None
        await lockout.set_locked(session, a, admin_a.id, True, datetime.now(UTC))
    order = SeekOrder(User.user_name_ci)
    async with db.read() as session:
        repo_a, repo_b = UserRepository(session, tenant=a), UserRepository(session, tenant=b)
        first = await repo_a.seek(None, order, None, limit=2)
        assert [u.user_name for u in first.rows] == ["a0", "a1"]
        assert first.more and first.total == 5
        rest = await repo_a.seek(None, order, first.positions[-1], limit=10)
        assert [u.user_name for u in rest.rows] == ["a2", "a3", "admin"] and not rest.more
        back = await repo_a.seek(None, order, rest.positions[0], backward=True, limit=1)
        assert [u.user_name for u in back.rows] == ["a1"] and back.more
        theirs = await repo_b.seek(None, order, first.positions[-1], limit=10)
        assert [u.org_id for u in theirs.rows] == [b.org_id] * 2  # admin and b0 only
        assert theirs.total == 2
        ids = [u.id for u in first.rows + rest.rows]
        counters = SignInCounterRepository(session, tenant=b)
        assert await counters.find_of_kind(lockout.USER, ids) == []
        mine = await SignInCounterRepository(session, tenant=a).find_of_kind(lockout.USER, ids)
        assert [row.subject for row in mine] == [admin_a.id]


async def test_passwords_and_authentication(
    db: Database, tenants: tuple[TenantContext, ...]
) -> None:
    a, _b = tenants
    async with db.write() as session:
        user = await users.create_user(session, a, profile("pat"), password=PASSWORD)
        assert user.password_hash and user.password_hash.startswith("$argon2id$")
        with pytest.raises(WeakPassword):
            await users.create_user(session, a, profile("weak"), password="weakpass")
    async with db.read() as session:
        assert (await users.authenticate(session, a, "PAT", PASSWORD)) is not None
        assert await users.authenticate(session, a, "pat", "wrong") is None
        assert await users.authenticate(session, a, "nobody", PASSWORD) is None
    async with db.write() as session:
        disabled = users.UserProfile(user_name="pat", active=False)
        await users.update_user(session, a, user.id, disabled)
    async with db.read() as session:
        assert await users.authenticate(session, a, "pat", PASSWORD) is None


async def test_password_hashed_before_the_transaction(
    db: Database, tenants: tuple[TenantContext, ...]
) -> None:
    """`prehashed` hashes outside the write transaction; inside, the service stores that
    very hash (argon2id salts each hash, so a second hashing would differ) and still
    applies the policy."""
    a, _b = tenants
    async with prehashed([PASSWORD, "weakpass"]):
        async with db.write() as session:
            user = await users.create_user(session, a, profile("early"), password=PASSWORD)
            with pytest.raises(WeakPassword):
                await users.create_user(session, a, profile("weak"), password="weakpass")
        async with db.write() as session:
            again = await users.create_user(session, a, profile("twin"), password=PASSWORD)
    assert user.password_hash == again.password_hash
    async with db.write() as session:
        later = await users.create_user(session, a, profile("later"), password=PASSWORD)
    assert later.password_hash != user.password_hash  # outside the block: hashed anew
    async with db.read() as session:
        assert await users.authenticate(session, a, "early", PASSWORD) is not None


async def test_versions(db: Database, tenants: tuple[TenantContext, ...]) -> None:
    a, _b = tenants
    async with db.write() as session:
        user = await users.create_user(session, a, profile("v"))
    async with db.write() as session:
        with pytest.raises(PreconditionFailed):
            await users.update_user(session, a, user.id, profile("v2"), expected_version=5)
    async with db.write() as session:
        updated = await users.update_user(session, a, user.id, profile("v2"), expected_version=1)
        assert updated.version == 2


def test_password_policy() -> None:
    policy = PasswordPolicy()
    assert policy.problems("Abcdefg1", "bob") == []
    assert policy.problems("abc", "bob") == [
        "at least 8 characters",
        "an upper-case letter",
        "a digit",
    ]
    assert policy.problems("Xbobbob1x", "BOB") == ["no occurrence of the username"]
    custom = PasswordPolicy.from_attributes(
        [
            {"key": "runegate.password.min_length", "value": "12"},
            {"key": "runegate.password.require_digit", "value": "false"},
            {"key": "unrelated", "value": "1"},
        ]
    )
    assert custom.min_length == 12 and custom.require_digit is False
    assert custom.problems("Abcdefghijkl", "x") == []


def _token(org: str, subject: str, subject_type: str, fmt: str, jti: str) -> IssuedToken:
    now = datetime.now(UTC)
    return IssuedToken(
        token_hash=jti.ljust(64, "0"),
        org_id=org,
        kind="access",
        format=fmt,
        jti=jti,
        grant_id=jti,
        application_id="app",
        client_id="client",
        subject=subject,
        subject_type=subject_type,
        issued_at=now,
        expires_at=now + timedelta(hours=1),
    )


async def test_revoke_user_tokens(db: Database, tenants: tuple[TenantContext, ...]) -> None:
    a, _b = tenants
    async with db.write() as session:
        session.add_all(
            [
                _token(a.org_id, "u1", "user", "opaque", "t1"),
                _token(a.org_id, "u1", "user", "jwt", "t2"),
                _token(a.org_id, "u2", "user", "opaque", "t3"),
                _token(a.org_id, "u1", "application", "opaque", "t4"),
            ]
        )
    async with db.write() as session:
        assert await revoke_user_tokens(session, a, "u1") == 2
    async with db.read() as session:
        rows = (await session.execute(select(IssuedToken.jti, IssuedToken.revoked))).all()
        assert dict(rows) == {"t1": True, "t2": True, "t3": False, "t4": False}
        denied = (await session.execute(select(RevokedJti.jti))).scalars().all()
        assert denied == ["t2"]
