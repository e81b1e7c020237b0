"""Back-channel logout: deliver queued logout tokens to the applications of ended sessions.

Implements: OIDC Back-Channel Logout 1.0 §2.4 (logout token: `iss`, `aud`, `iat`, `exp`,
`jti`, `sub` and `sid`, `events` with the back-channel logout event, no `nonce`, header
`typ: logout+jwt`, signed like the application's ID tokens), §2.5 (POSTed as the form
parameter `logout_token`; any 2xx is success).

Guarantee: a notice is a row (`backchannel_logout`) written in the transaction that ended
the session (`identity.revocation.end_sessions`), so a committed logout always has its
notices; every server process sends due rows in the background, never on the user's
request. Each attempt has a `TIMEOUT`; failures are retried `MAX_ATTEMPTS` times with a
doubling delay, then the row is marked failed. Delivery is at least once (a worker that
crashes after the POST and before the `sent` mark leaves the row to be claimed again
after `LEASE`); the token's `jti` stays the same across attempts so receivers can ignore
repeats. Redirects are not followed and the answer body is not read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from runegate.crypto import jwt
from runegate.identity import revocation
from runegate.storage.db import Database
from runegate.storage.models.signin import BackchannelLogout
from runegate.storage.queue import QueueWorker

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("runegate.oidc.backchannel")
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_TYPE = "logout+jwt"
LOGOUT_TOKEN_LIFETIME = 120  # seconds
TIMEOUT = 5.0
MAX_ATTEMPTS = 5
FIRST_RETRY = 1.0  # seconds; doubles per attempt (1, 2, 4, 8)
POLL_INTERVAL = 30.0  # fallback: commits and retries wake the sender themselves
LEASE = timedelta(minutes=2)
BATCH = 50


class LogoutSigner(Protocol):
    """The organization's active key for `alg` (`oauth.key_store.KeyStore`)."""

    async def signing_key(self, org_id: str, alg: str) -> tuple[str, jwt.VerifyingKey]: ...


def logout_claims(row: BackchannelLogout, now: int) -> dict[str, Any]:
    """OIDC Back-Channel Logout 1.0 §2.4: the claims of a logout token (never a nonce)."""
    claims: dict[str, Any] = {
        "iss": row.issuer,
        "aud": row.client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME,
        "jti": row.jti,
        "sub": row.subject,
        "events": {LOGOUT_EVENT: {}},
    }
    if row.sid:
        claims["sid"] = row.sid
    return claims


class BackchannelSender(QueueWorker[BackchannelLogout]):
    """Sends due logout tokens of every organization; one per server process."""

    model = BackchannelLogout
    batch = BATCH
    lease = LEASE
    what = "back-channel logout"

    def __init__(
        self,
        db: Database,
        signer: LogoutSigner,
        *,
        interval: float = POLL_INTERVAL,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(db, interval=interval, log=log, now=now)
        self.signer = signer

    def start(self) -> None:
        if self.wake not in revocation.notice_listeners:
            revocation.notice_listeners.append(self.wake)
        super().start()

    async def stop(self) -> None:
        with contextlib.suppress(ValueError):
            revocation.notice_listeners.remove(self.wake)
        await super().stop()

    async def process(self, rows: list[BackchannelLogout]) -> None:
        """Deliver concurrently: a slow receiver does not hold up the others."""
        import httpx  # imported on first use: httpx pulls in rich, click and pygments

        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            await asyncio.gather(*(self._deliver(client, row) for row in rows))

    async def logout_token(self, row: BackchannelLogout) -> str:
        kid, key = await self.signer.signing_key(row.org_id, row.alg)
        claims = logout_claims(row, int(time.time()))
        return jwt.sign(claims, key, alg=row.alg, kid=kid, typ=LOGOUT_TOKEN_TYPE)

    async def _deliver(self, client: httpx.AsyncClient, row: BackchannelLogout) -> None:
        error: str | None = None
        try:
            token = await self.logout_token(row)
            answer = await client.post(row.url, data={"logout_token": token})
            if not 200 <= answer.status_code < 300:
                error = f"HTTP {answer.status_code}"
        except Exception as exc:  # refused, timed out, or no usable signing key: retried
            error = type(exc).__name__
        await self._record(row, error)

    async def _record(self, row: BackchannelLogout, error: str | None) -> None:
        values: dict[str, object]
        if error is None:
            values = {"status": "sent", "last_error": None}
        elif row.attempts >= MAX_ATTEMPTS:
            values = {"status": "failed", "last_error": error}
        else:
            delay = FIRST_RETRY * 2 ** (row.attempts - 1)
            values = {
                "status": "pending",
                "last_error": error,
                "next_attempt_at": self.now() + timedelta(seconds=delay),
            }
            asyncio.get_running_loop().call_later(delay, self.wake)
        if error is not None:  # the client and the failure kind only, never the token
            log.warning(
                "back-channel logout to client %s failed (attempt %d%s): %s",
                row.client_id,
                row.attempts,
                ", giving up" if values["status"] == "failed" else "",
                error,
            )
        await self.finish(row, values)
