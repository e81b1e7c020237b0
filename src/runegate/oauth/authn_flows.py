"""App-native authentication flows, kept server-side between `/oauth2/authorize`
(`response_mode=direct`) and `/oauth2/authn`.

The flow id is a 256-bit random value; only its keyed hash is stored, with the
organization, the client and the validated authorization request's parameters (never a
client secret). A flow lives a few minutes and completes once: after a successful
sign-in its id is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import keyed_hashes
from runegate.crypto.hashing import random_secret
from runegate.oauth.codes import aware
from runegate.oauth.endpoints.authn import FlowTimedOut
from runegate.oauth.endpoints.authn import InvalidFlow
from runegate.storage.db import Database
from runegate.storage.models.signin import AuthnFlow
from runegate.storage.repositories.signin import AuthnFlowRepository
from runegate.tenancy.context import TenantContext

FLOW_LIFETIME = timedelta(minutes=5)
MAX_FLOW_ID = 128


@dataclass(frozen=True, slots=True)
class OpenFlow:
    flow_hash: str
    client_id: str
    params: dict[str, str]
    user_id: str | None = None  # the password step passed: the TOTP step is next


class FlowStore:
    def __init__(self, db: Database, keys: tuple[bytes, ...]) -> None:
        self.db = db
        self.keys = keys

    async def start(self, tenant: TenantContext, client_id: str, params: Mapping[str, str]) -> str:
        """Store a new flow; returns its id."""
        flow_id = random_secret(32)
        row = AuthnFlow(
            flow_hash=keyed_hash(self.keys[0], flow_id),
            client_id=client_id,
            params=dict(params),
            expires_at=datetime.now(UTC) + FLOW_LIFETIME,
            completed=False,
        )
        async with self.db.write() as session:
            await AuthnFlowRepository(session, tenant=tenant).add(row)
        return flow_id

    async def find(self, tenant: TenantContext, flow_id: str) -> OpenFlow:
        """The open flow of this organization; InvalidFlow or FlowTimedOut otherwise."""
        row = None
        if len(flow_id) <= MAX_FLOW_ID:
            async with self.db.read() as session:
                repo = AuthnFlowRepository(session, tenant=tenant)
                for flow_hash in keyed_hashes(self.keys, flow_id):
                    row = row or await repo.find_by(flow_hash=flow_hash)
        if row is None or row.completed:
            raise InvalidFlow(detail="authn flow unknown or completed")
        if aware(row.expires_at) <= datetime.now(UTC):
            raise FlowTimedOut(detail="authn flow expired")
        params = {str(k): str(v) for k, v in row.params.items()}
        return OpenFlow(row.flow_hash, row.client_id, params, row.user_id)

    async def await_second_factor(
        self, tenant: TenantContext, flow: OpenFlow, user_id: str
    ) -> None:
        """The password step passed for `user_id`; the flow now asks for a TOTP code."""
        async with self.db.write() as session:
            moved = await AuthnFlowRepository(session, tenant=tenant).await_second_factor(
                flow.flow_hash, user_id
            )
        if not moved:
            raise InvalidFlow(detail="authn flow moved on concurrently")

    async def complete(self, tenant: TenantContext, flow: OpenFlow) -> None:
        """Mark the flow used, once; a concurrent completion gets InvalidFlow."""
        async with self.db.write() as session:
            done = await AuthnFlowRepository(session, tenant=tenant).complete(flow.flow_hash)
        if not done:
            raise InvalidFlow(detail="authn flow completed concurrently")
