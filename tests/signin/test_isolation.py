"""Two-organization isolation of the sign-in repositories (STYLE §3): organization B
cannot read, consume, extend or delete A's codes, sessions or consents."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from runegate.identity.revocation import end_sessions
from runegate.storage.db import Database
from runegate.storage.models.application import Application
from runegate.storage.models.signin import AuthnFlow
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.user import User
from runegate.storage.repositories.applications import ApplicationRepository
from runegate.storage.repositories.signin import AuthnFlowRepository
from runegate.storage.repositories.signin import AuthorizationCodeRepository
from runegate.storage.repositories.signin import ConsentRepository
from runegate.storage.repositories.signin import SsoSessionRepository
from runegate.storage.repositories.users import UserRepository
from runegate.tenancy.service import provision_org


async def test_signin_rows_are_isolated(db: Database) -> None:
    now = datetime.now(UTC)
    later = now + timedelta(minutes=5)
    async with db.write() as s:
        a = (await provision_org(s, "org-a", base_url="http://x")).tenant
        b = (await provision_org(s, "org-b", base_url="http://x")).tenant
        user = await UserRepository(s, tenant=a).add(User(user_name="alice"))
        app = await ApplicationRepository(s, tenant=a).add(Application(name="app", client_id="c"))
        await SsoSessionRepository(s, tenant=a).add(
            SsoSession(
                session_hash="s" * 64, sid="sid", user_id=user.id, auth_time=now, expires_at=later
            )
        )
        await AuthorizationCodeRepository(s, tenant=a).add(
            AuthorizationCode(
                code_hash="c" * 64,
                grant_id="g",
                application_id=app.id,
                client_id="c",
                user_id=user.id,
                redirect_uri="https://app/cb",
                auth_time=now,
                expires_at=later,
            )
        )
        await ConsentRepository(s, tenant=a).remember(user.id, app.id, frozenset({"openid"}))
    async with db.write() as s:
        sessions_b = SsoSessionRepository(s, tenant=b)
        assert await sessions_b.find_live("s" * 64, now) is None
        await sessions_b.add_client("s" * 64, "intruder")
        assert await sessions_b.remove("s" * 64) == 0
        # The revocation service, called for B, cannot end A's session either.
        assert await end_sessions(s, b, SsoSession.user_id == user.id) == 0
        codes_b = AuthorizationCodeRepository(s, tenant=b)
        assert await codes_b.find_by_hash("c" * 64) is None
        assert await codes_b.consume("c" * 64) is False
        consents_b = ConsentRepository(s, tenant=b)
        assert await consents_b.scopes_of(user.id, app.id) is None
    async with db.write() as s:
        row = await SsoSessionRepository(s, tenant=a).find_live("s" * 64, now)
        assert row is not None and row.client_ids == []
        codes_a = AuthorizationCodeRepository(s, tenant=a)
        assert await codes_a.consume("c" * 64) is True
        assert await codes_a.consume("c" * 64) is False  # one-time
        consents = ConsentRepository(s, tenant=a)
        assert await consents.scopes_of(user.id, app.id) == {"openid"}
        await consents.remember(user.id, app.id, frozenset({"profile"}))
        assert await consents.scopes_of(user.id, app.id) == {"openid", "profile"}
        assert await SsoSessionRepository(s, tenant=a).remove("s" * 64) == 1


async def test_authn_flows_are_isolated(db: Database) -> None:
    later = datetime.now(UTC) + timedelta(minutes=5)
    async with db.write() as s:
        a = (await provision_org(s, "org-a", base_url="http://x")).tenant
        b = (await provision_org(s, "org-b", base_url="http://x")).tenant
        flow = AuthnFlow(flow_hash="f" * 64, client_id="c", params={}, expires_at=later)
        await AuthnFlowRepository(s, tenant=a).add(flow)
    async with db.write() as s:
        flows_b = AuthnFlowRepository(s, tenant=b)
        assert await flows_b.find_live("f" * 64, datetime.now(UTC)) is None
        assert await flows_b.find_by(flow_hash="f" * 64) is None
        assert await flows_b.complete("f" * 64) is False
    async with db.write() as s:
        flows_a = AuthnFlowRepository(s, tenant=a)
        assert await flows_a.find_live("f" * 64, datetime.now(UTC)) is not None
        assert await flows_a.complete("f" * 64) is True
        assert await flows_a.complete("f" * 64) is False  # single use
        assert await flows_a.find_live("f" * 64, datetime.now(UTC)) is None
