"""Fixtures of the live tests: services of the tests' own."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live.pg_cluster import PgCluster
from tests.live.pg_cluster import bin_dir


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    binaries = bin_dir()
    if binaries is None:
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    user = None
    if os.geteuid() == 0:
        user = "postgres"
        pwd.getpwnam(user)
    root = Path(tempfile.mkdtemp(prefix="runegate-pg-"))
    if user:
        shutil.chown(root, user)
    cluster = PgCluster(binaries, root, user)
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)
