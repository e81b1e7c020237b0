"""Password policy and argon2id hashing off the event loop.

Hashing: argon2id with RFC 9106 / OWASP parameters (`crypto/hashing.py`); each hash or
verification takes tens of milliseconds of CPU, so it runs in a worker thread.

Hashes are computed before the write transaction opens (`prehashed`), so the write lock
(SQLite's is database-wide) is never held during argon2id; `hash_for` inside the
transaction takes the prepared hash, or hashes itself for a password nobody prepared.

Policy defaults (per organization, overridable through organization attributes named
`runegate.password.<field>`): at least 8 characters, an upper-case letter, a lower-case
letter and a digit, and not containing the username.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Iterable
from collections.abc import Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from dataclasses import fields
from typing import Any

from runegate.crypto.hashing import hash_password
from runegate.crypto.hashing import verify_password
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
