"""Rate-limit counters shared through Redis: two nodes' limiters, one budget."""

from __future__ import annotations

import pytest

from runegate.cache import CacheRegistry
from runegate.ratelimit.limiter import Limiter
from runegate.ratelimit.limiter import Rule
from runegate.redis_link import RedisLink
from tests.live.conftest import RedisServer
from tests.live.test_redis import until

pytestmark = pytest.mark.slow


async def test_two_nodes_share_one_budget(redis_server: RedisServer) -> None:
    links = [RedisLink(redis_server.url, CacheRegistry()) for _ in range(2)]
    nodes = [
        Limiter({"token": Rule(per_client=4, per_ip=0)}, lambda link=link: link) for link in links
    ]
    for link in links:
        link.start()
    try:
        await until(lambda: all(link.available for link in links))
        # Each node alone allows 4; together they must not allow more than 4 a minute.
        assert [n.wait("token", "client", "org", "c1") for n in nodes for _ in range(2)] == [
            0.0
        ] * 4
        for node in nodes:
            await node.shared.flush()
        # A node learns the shared count when it flushes its own hits (at most a second late).
        for node in nodes:
            assert node.wait("token", "client", "org", "c1") == 0.0  # counted, not yet seen
            await node.shared.flush()
            assert node.wait("token", "client", "org", "c1") > 0.0
        assert nodes[1].wait("token", "client", "org", "another") == 0.0
    finally:
        for link in links:
            await link.stop()
