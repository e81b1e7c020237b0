"""Cache channels, generations and the commit listener (cache.py), on real databases."""

from __future__ import annotations

from runegate.cache import Cache
from runegate.cache import CacheRegistry
from runegate.storage import changes
from runegate.storage.db import Database


def _two() -> tuple[CacheRegistry, Cache[int], Cache[int]]:
    registry = CacheRegistry()
    config: Cache[int] = Cache(registry, "config")
    roles: Cache[int] = Cache(registry, "roles", channel=changes.ROLES)
    config.set("k", 1)
    roles.set("k", 2)
    return registry, config, roles


def test_roles_channel_clears_only_its_caches() -> None:
    registry, config, roles = _two()
    registry.invalidate(changes.ROLES)
    assert (config.get("k"), roles.get("k")) == (1, None)
    roles.set("k", 2)
    registry.invalidate()  # a configuration change clears everything
    assert (config.get("k"), roles.get("k")) == (None, None)


def test_a_value_read_across_a_clear_is_not_stored() -> None:
    _registry, _config, roles = _two()
    generation = roles.generation
    roles.clear()  # a change landed while the value was being read
    roles.set("late", 3, generation)
    assert roles.get("late") is None
    roles.set("fresh", 4, roles.generation)
    assert roles.get("fresh") == 4


async def test_commit_clears_at_once_and_polls_see_the_counter(db: Database) -> None:
    writer, reader = CacheRegistry(), CacheRegistry()
    mine: Cache[int] = Cache(writer, "roles", channel=changes.ROLES)
    theirs: Cache[int] = Cache(reader, "roles", channel=changes.ROLES)
    other: Cache[int] = Cache(reader, "clients")
    await writer.refresh(db)
    await reader.refresh(db)
    # What `start` registers, without its poll task (whose first refresh would race).
    db.commit_listeners.append(writer.committed)
    try:
        for cache in (mine, theirs, other):
            cache.set("k", 1)
        async with db.write() as session:
            await changes.bump(session, changes.ROLES)
        assert mine.get("k") is None  # the writing worker: at commit
        assert theirs.get("k") == 1  # another worker: at its next poll
        await reader.refresh(db)
        assert (theirs.get("k"), other.get("k")) == (None, 1)
        # A rolled-back write clears nothing.
        mine.set("k", 1)
        try:
            async with db.write() as session:
                await changes.bump(session, changes.ROLES)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert mine.get("k") == 1
    finally:
        db.commit_listeners.remove(writer.committed)
