"""Every node of a deployment shares RUNEGATE_SECRET_KEY: a node with another key refuses
to serve; rotating (new key first, old key kept) keeps working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runegate.app import create_app
from runegate.bootstrap import run_bootstrap
from runegate.config import UnsafeConfiguration
from runegate.secret_check import verify_secret_key
from runegate.storage.db import Database
from tests.conftest import make_settings

OLD = "old-key-0123456789abcdef0123456789abcdef"
NEW = "new-key-0123456789abcdef0123456789abcdef"


async def test_node_with_another_key_refuses_to_start(db: Database, tmp_path: Path) -> None:
    await run_bootstrap(make_settings(db.url, tmp_path, secret_key=OLD), db)
    stranger = make_settings(db.url, tmp_path, secret_key=NEW)
    app = create_app(stranger, db=db)
    with pytest.raises(UnsafeConfiguration, match="does not match"):
        async with app.router.lifespan_context(app):
            pass
    with pytest.raises(UnsafeConfiguration):
        await run_bootstrap(stranger, db)


async def test_rotation_moves_the_check_forward(db: Database) -> None:
    await verify_secret_key(db, (OLD.encode(),))
    await verify_secret_key(db, (NEW.encode(), OLD.encode()))  # rotation: both configured
    await verify_secret_key(db, (NEW.encode(),))  # old key dropped later
    with pytest.raises(UnsafeConfiguration):
        await verify_secret_key(db, (OLD.encode(),))  # a node left behind


def test_serve_with_wrong_key_exits_with_a_clear_error(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update({"RUNEGATE_DATABASE_URL": database_url, "RUNEGATE_SECRET_KEY": OLD})
    run = [sys.executable, "-m", "runegate"]
    first = subprocess.run(
        [*run, "bootstrap"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    env["RUNEGATE_SECRET_KEY"] = NEW
    refused = subprocess.run(
        [*run, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 2
    assert "does not match" in refused.stderr
