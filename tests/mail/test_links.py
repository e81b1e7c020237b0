"""Account links and account mails on real databases: isolation, single use, expiry,
composition with the organization's template."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from runegate.identity import users
from runegate.identity.account_links import LinkRefused
from runegate.identity.account_links import check_link
from runegate.identity.account_links import issue_link
from runegate.mail.messages import render
from runegate.mail.outbox import Outbox
from runegate.mail.transport import FileTransport
from runegate.storage.db import Database
from runegate.storage.models.mail import MailOutbox
from runegate.storage.models.organization import Organization
from runegate.storage.repositories.account_tokens import AccountTokenRepository
from runegate.tenancy.context import TenantContext
from tests.identity.test_services import _tenant
from tests.identity.test_services import profile

pytestmark = pytest.mark.storage
KEYS = (b"k" * 32,)


@pytest.fixture
async def tenants(db: Database) -> tuple[TenantContext, TenantContext]:
    return await _tenant(db, "alpha"), await _tenant(db, "beta")


async def test_links_are_isolated_single_use_and_expire(
    db: Database, tenants: tuple[TenantContext, TenantContext]
) -> None:
    a, b = tenants
    async with db.write() as session:
        user = await users.create_user(session, a, profile("ada", "ada@example.com"))
        raw = await issue_link(session, a, KEYS, user.id, "recovery")
        old = await issue_link(
            session, a, KEYS, user.id, "verify", now=datetime.now(UTC) - timedelta(days=2)
        )
    async with db.read() as session:
        with pytest.raises(LinkRefused) as other_org:
            await check_link(session, b, KEYS, raw, "recovery")
        assert other_org.value.reason == "unknown"
        assert (
            await AccountTokenRepository(session, tenant=b).users_with_email("ADA@example.com")
            == []
        )
        assert [
            u.id
            for u in await AccountTokenRepository(session, tenant=a).users_with_email(
                "ADA@example.com"
            )
        ] == [user.id]
        with pytest.raises(LinkRefused, match="unknown"):
            await check_link(session, a, KEYS, raw, "invite")  # another purpose
        with pytest.raises(LinkRefused) as expired:
            await check_link(session, a, KEYS, old, "verify")
        assert expired.value.reason == "expired"
    async with db.write() as session:
        with pytest.raises(LinkRefused):
            await check_link(session, b, KEYS, raw, "recovery", redeem=True)
        assert (await check_link(session, a, KEYS, raw, "recovery", redeem=True)).user_id == user.id
    async with db.write() as session:
        with pytest.raises(LinkRefused) as used:
            await check_link(session, a, KEYS, raw, "recovery", redeem=True)
        assert used.value.reason == "used"
    async with db.write() as session:  # a new link ends the earlier unused one
        first = await issue_link(session, a, KEYS, user.id, "recovery")
        await issue_link(session, a, KEYS, user.id, "recovery")
    async with db.read() as session:
        with pytest.raises(LinkRefused, match="used"):
            await check_link(session, a, KEYS, first, "recovery")


async def test_an_invitation_no_longer_pending_is_cancelled(
    db: Database, tenants: tuple[TenantContext, TenantContext], tmp_path
) -> None:
    from runegate.mail.accounts import AccountMails
    from tests.conftest import make_settings

    a, _b = tenants
    async with db.write() as session:
        user = await users.create_user(session, a, profile("bob", "bob@example.com"), invite=True)
        await users.delete_user(session, a, user.id, expected_version=None)
    composer = AccountMails(make_settings(db.url, tmp_path))
    assert await Outbox(db, FileTransport(tmp_path / "mail"), composer=composer).run_once() == 1
    async with db.read() as session:
        assert (await session.execute(select(MailOutbox.status))).scalars().all() == ["cancelled"]
    assert not (tmp_path / "mail").exists()


async def test_organization_templates_override_and_escape(
    db: Database, tenants: tuple[TenantContext, TenantContext], tmp_path
) -> None:
    from runegate.mail.accounts import AccountMails
    from tests.conftest import make_settings

    a, b = tenants
    attributes = [
        {"key": "runegate.mail.invite.subject", "value": "Join {{ org_name }}\nBcc: x@evil"},
        {
            "key": "runegate.mail.invite.html",
            "value": "<p>Hi {{ user_name }}</p><a href='{{ link }}'>go</a>",
        },
        {"key": "runegate.mail.from", "value": "Alpha <hello@alpha.example>"},
    ]
    async with db.write() as session:
        await session.execute(
            update(Organization).where(Organization.id == a.org_id).values(attributes=attributes)
        )
        await users.create_user(session, a, profile("<b>eve</b>", "eve@example.com"), invite=True)
        await users.create_user(session, b, profile("<b>eve</b>", "eve@example.com"), invite=True)
    composer = AccountMails(make_settings(db.url, tmp_path))
    assert await Outbox(db, FileTransport(tmp_path / "mail"), composer=composer).run_once() == 2
    texts = [p.read_text() for p in (tmp_path / "mail").glob("*.eml")]
    alpha = next(t for t in texts if "alpha.example" in t)
    beta = next(t for t in texts if "alpha.example" not in t)
    assert "Subject: Join alpha Bcc: x@evil" in alpha  # one line: no header injection
    assert "&lt;b&gt;eve&lt;/b&gt;" in alpha and "<b>eve</b>" not in alpha.split("text/html")[1]
    assert "Subject: You are invited to beta" in beta


def test_a_broken_organization_template_falls_back_to_the_default() -> None:
    context = {"org_name": "o", "user_name": "u", "display_name": "", "link": "L", "valid_hours": 1}
    mail = render(
        "recovery",
        {"recovery.text": "{{ oops", "recovery.subject": "{{ ''.__class__.__mro__ }}"},
        context,
    )
    assert "L" in mail.text and "o" in mail.subject
