"""One secret for a deployment: every node must share `RUNEGATE_SECRET_KEY`.

The database keeps a keyed hash of a fixed label under the newest key. A node whose keys
match none of it refuses to serve (it could not verify stored secrets or tokens); a node
whose newest key is new but whose older key matches (rotation) moves the check forward.
"""

from __future__ import annotations

import hmac

from sqlalchemy import select

from runegate.config import UnsafeConfiguration
from runegate.crypto.hashing import keyed_hash
from runegate.storage.db import Database
from runegate.storage.models.system import DeploymentCheck

CHECK_NAME = "secret-key"
CHECK_LABEL = "runegate deployment secret check v1"
SECRET_CHECK_LOCK = 0x52554E53  # "RUNS"


async def verify_secret_key(db: Database, keys: tuple[bytes, ...]) -> None:
    newest = keyed_hash(keys[0], CHECK_LABEL)
    async with db.write() as session:
        await db.lock(session, SECRET_CHECK_LOCK)  # nodes starting at once insert it once
        row = await session.scalar(
            select(DeploymentCheck).where(DeploymentCheck.name == CHECK_NAME)
        )
        if row is None:
            session.add(DeploymentCheck(name=CHECK_NAME, value=newest))
            return
        if not any(hmac.compare_digest(keyed_hash(k, CHECK_LABEL), row.value) for k in keys):
            raise UnsafeConfiguration(
                "RUNEGATE_SECRET_KEY does not match the key this database was set up with; "
                "every node of a deployment needs the same key (rotate by putting the new "
                "key first and keeping the old one after a comma)"
            )
        if not hmac.compare_digest(row.value, newest):
            row.value = newest
