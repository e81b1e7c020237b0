"""Password policy and argon2id hashing off the event loop.

Hashing: argon2id with RFC 9106 / OWASP parameters (`crypto/hashing.py`); each hash or
verification takes tens of milliseconds of CPU, so it runs in a worker thread.

Hashes are computed before the write transaction opens (`prehashed`), so the write lock
(SQLite's is database-wide) is never held during argon2id; `hash_for` inside the
transaction takes the prepared hash, or hashes itself for a password nobody prepared.

Verification at sign-in goes through a `VerifyPool`: a few threads of its own and a
bounded number of waiting checks, so a burst of logins cannot starve the event loop nor
queue without limit; past the bound the check fails at once with a 503 (`Retry-After`).

Policy defaults (per organization, overridable through organization attributes named
`runegate.password.<field>`): at least 8 characters, an upper-case letter, a lower-case
letter and a digit, and not containing the username.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from collections.abc import Iterable
from collections.abc import Mapping
from concurrent.futures import Future
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import fields
from typing import Any

from runegate.crypto.hashing import hash_password
from runegate.crypto.hashing import verify_password
from runegate.errors import ServiceUnavailable
from runegate.identity.errors import WeakPassword

ATTRIBUTE_PREFIX = "runegate.password."
_PREPARED: ContextVar[Mapping[str, str] | None] = ContextVar("runegate_prehashed", default=None)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 8
    max_length: int = 128
    require_upper: bool = True
    require_lower: bool = True
    require_digit: bool = True
    forbid_username: bool = True

    @classmethod
    def from_attributes(cls, attributes: Iterable[Mapping[str, Any]]) -> PasswordPolicy:
        """Read overrides from organization attributes `[{key, value}]`."""
        values: dict[str, Any] = {}
        names = {f.name: f.type for f in fields(cls)}
        for item in attributes:
            key = str(item.get("key", ""))
            if not key.startswith(ATTRIBUTE_PREFIX):
                continue
            name = key.removeprefix(ATTRIBUTE_PREFIX)
            if name in names:
                raw = str(item.get("value", ""))
                values[name] = raw.lower() == "true" if names[name] == "bool" else int(raw)
        return cls(**values)

    def problems(self, password: str, user_name: str) -> list[str]:
        found = []
        if len(password) < self.min_length:
            found.append(f"at least {self.min_length} characters")
        if len(password) > self.max_length:
            found.append(f"at most {self.max_length} characters")
        if self.require_upper and not any(c.isupper() for c in password):
            found.append("an upper-case letter")
        if self.require_lower and not any(c.islower() for c in password):
            found.append("a lower-case letter")
        if self.require_digit and not any(c.isdigit() for c in password):
            found.append("a digit")
        if self.forbid_username and user_name and user_name.lower() in password.lower():
            found.append("no occurrence of the username")
        return found

    def check(self, password: str, user_name: str) -> None:
        problems = self.problems(password, user_name)
        if problems:
            raise WeakPassword("The password must have " + ", ".join(problems) + ".")


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """Verify in a worker thread; a missing hash never verifies."""
    if not password_hash:
        return False
    return await asyncio.to_thread(verify_password, password_hash, password)


BUSY_RETRY_AFTER = "1"


class PasswordChecksBusy(ServiceUnavailable):
    """Every verification slot is taken: try again shortly (503 + Retry-After)."""

    default_description = "Too many sign-ins are being checked; retry in a moment."

    def __init__(self) -> None:
        super().__init__(
            headers={"Retry-After": BUSY_RETRY_AFTER},
            code="RG-50301",
            message="Sign-in busy",
            detail="password verification queue full",
        )


def default_threads() -> int:
    """Half the CPUs (at least one): the event loop keeps a core for other requests."""
    return max(1, (os.cpu_count() or 2) // 2)


def _soon(loop: asyncio.AbstractEventLoop, callback: Any) -> None:
    with suppress(RuntimeError):  # a closed loop: nobody counts any more
        loop.call_soon_threadsafe(callback)


class VerifyPool:
    """argon2id verification on `threads` threads of its own, with at most `queue` more
    checks waiting; one per app instance (per worker process)."""

    def __init__(self, threads: int = 0, queue: int = 64) -> None:
        self.threads = threads or default_threads()
        self.capacity = self.threads + queue
        self.in_flight = 0
        self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix="runegate-argon2")

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Like `verify_password_async`; raises `PasswordChecksBusy` when full."""
        if not password_hash:
            return False
        if self.in_flight >= self.capacity:
            raise PasswordChecksBusy()
        loop = asyncio.get_running_loop()
        self.in_flight += 1
        job: Future[bool] = self._executor.submit(verify_password, password_hash, password)
        # The slot is freed when the job ends (or is cancelled before it started), not
        # when a waiting request goes away.
        job.add_done_callback(lambda _job: _soon(loop, self._release))
        return await asyncio.wrap_future(job)

    def _release(self) -> None:
        self.in_flight -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@asynccontextmanager
async def prehashed(passwords: Iterable[str]) -> AsyncIterator[None]:
    """Hash `passwords` now, off the event loop and outside any transaction; within the
    block, `hash_for` returns these hashes instead of hashing again."""
    hashes = {p: await hash_password_async(p) for p in dict.fromkeys(passwords)}
    token = _PREPARED.set({**(_PREPARED.get() or {}), **hashes})
    try:
        yield
    finally:
        _PREPARED.reset(token)


async def hash_for(password: str) -> str:
    """The hash prepared by an enclosing `prehashed`, else a fresh one."""
    ready = (_PREPARED.get() or {}).get(password)
    return ready if ready is not None else await hash_password_async(password)
