"""Authorization codes: issued at the authorization endpoint, redeemed once at the token
endpoint.

Implements: RFC 6749 §4.1.2 (short-lived, one-time; a second use is refused and the
tokens issued from the code are revoked, §10.5), §4.1.3 (bound to the client and the
redirect URI), RFC 7636 §4.6 (bound to the PKCE challenge). Codes are 256-bit random
values stored only as keyed hashes; they live 60 seconds.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Literal

from runegate.crypto.hashing import keyed_hash
from runegate.crypto.hashing import keyed_hashes
from runegate.crypto.hashing import random_secret
from runegate.errors import InvalidGrant
from runegate.oauth import pkce
from runegate.oauth.endpoints.revocation import revoke_grant
from runegate.storage.db import Database
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.repositories.signin import AuthorizationCodeRepository
from runegate.storage.repositories.signin import SsoSessionRepository
from runegate.tenancy.context import TenantContext

CODE_LIFETIME = timedelta(seconds=60)
# STYLE §5: one generic description; the reason goes to `detail`.
BAD_CODE = "The authorization code is invalid, expired or already used."

Outcome = Literal["ok", "unknown", "replayed", "expired", "other_client", "redirect", "pkce"]


@dataclass(frozen=True, slots=True)
class CodeGrant:
    """What the authorization endpoint bound to a code (the facts tokens are built from)."""

    user_id: str
    scopes: tuple[str, ...]
    nonce: str | None
    auth_time: datetime
    sid: str | None
    grant_id: str
    redirect_uri: str | None
    challenge: tuple[str, str] | None
    # The sub-organization the tokens act in (organization sign-in), else None.
    acting_org_id: str | None = None


def aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class CodeStore:
    def __init__(self, db: Database, keys: tuple[bytes, ...]) -> None:
        self.db = db
        self.keys = keys

    async def issue(
        self,
        tenant: TenantContext,
        client_id: str,
        application_id: str,
        grant: CodeGrant,
        *,
        session_hash: str | None,
    ) -> str:
        """Store a new code (and note the client on the SSO session); returns the code.

        A sub-organization's code is kept under the root organization (it is redeemed at
        the root's token endpoint) with the organization it acts in."""
        code = random_secret(32)
        root = tenant.for_org(tenant.root_id)
        row = AuthorizationCode(
            code_hash=keyed_hash(self.keys[0], code),
            grant_id=grant.grant_id,
            application_id=application_id,
            client_id=client_id,
            user_id=grant.user_id,
            redirect_uri=grant.redirect_uri or "",
            scope=" ".join(grant.scopes),
            nonce=grant.nonce,
            code_challenge=grant.challenge[0] if grant.challenge else None,
            code_challenge_method=grant.challenge[1] if grant.challenge else None,
            sid=grant.sid,
            auth_time=grant.auth_time,
            expires_at=datetime.now(UTC) + CODE_LIFETIME,
            acting_org_id=tenant.org_id if tenant.switched else None,
        )
        async with self.db.write() as session:
            await AuthorizationCodeRepository(session, tenant=root).add(row)
            if session_hash is not None:
                await SsoSessionRepository(session, tenant=tenant).add_client(
                    session_hash, client_id
                )
        return code

    async def redeem(
        self,
        tenant: TenantContext,
        code: str,
        *,
        client_id: str,
        redirect_uri: str | None,
        verifier: str | None,
    ) -> CodeGrant:
        """The code's grant, once; raise InvalidGrant (RFC 6749 §5.2) otherwise."""
        async with self.db.write() as session:
            repo = AuthorizationCodeRepository(session, tenant=tenant)
            row = None
            for code_hash in keyed_hashes(self.keys, code):
                row = row or await repo.find_by_hash(code_hash)
            outcome = _check(row, client_id, redirect_uri, verifier)
            if outcome == "ok" and row is not None and not await repo.consume(row.code_hash):
                outcome = "replayed"  # a concurrent redemption won
            if outcome == "replayed" and row is not None:
                # RFC 6749 §4.1.2 / §10.5: revoke what the code already issued.
                await revoke_grant(session, self.db, tenant.root_id, row.grant_id)
        if outcome != "ok" or row is None:
            raise InvalidGrant(BAD_CODE, detail=f"authorization code refused: {outcome}")
        return _grant_of(row)


def _check(
    row: AuthorizationCode | None, client_id: str, redirect_uri: str | None, verifier: str | None
) -> Outcome:
    if row is None:
        return "unknown"
    if row.used:
        return "replayed"
    if aware(row.expires_at) <= datetime.now(UTC):
        return "expired"
    if not secrets.compare_digest(row.client_id.encode(), client_id.encode()):
        return "other_client"
    # RFC 6749 §4.1.3: identical redirect_uri when the authorization request had one.
    if row.redirect_uri and redirect_uri != row.redirect_uri:
        return "redirect"
    if row.code_challenge is not None:
        method = row.code_challenge_method or "plain"
        if not pkce.verify(verifier, row.code_challenge, method):
            return "pkce"
    elif verifier is not None:
        return "pkce"  # RFC 7636 §4.5: a verifier without a challenge is refused
    return "ok"


def _grant_of(row: AuthorizationCode) -> CodeGrant:
    challenge = None
    if row.code_challenge is not None:
        challenge = (row.code_challenge, row.code_challenge_method or "plain")
    return CodeGrant(
        user_id=row.user_id,
        scopes=tuple(row.scope.split()),
        nonce=row.nonce,
        auth_time=aware(row.auth_time),
        sid=row.sid,
        grant_id=row.grant_id,
        redirect_uri=row.redirect_uri or None,
        challenge=challenge,
        acting_org_id=row.acting_org_id,
    )
