"""The CLI as a user runs it: org create/list, bad names, migrate, --help."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SECRET_KEY


def run(args: list[str], database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update({"RUNEGATE_DATABASE_URL": database_url, "RUNEGATE_SECRET_KEY": SECRET_KEY})
    return subprocess.run(
        [sys.executable, "-m", "runegate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_the_verbs(tmp_path: Path) -> None:
    result = run(["--help"], "sqlite:///unused.db", tmp_path)
    assert result.returncode == 0
    for verb in ("serve", "migrate", "bootstrap", "org"):
        assert verb in result.stdout


def test_org_create_and_list(database_url: str, tmp_path: Path) -> None:
    created = run(["org", "create", "acme"], database_url, tmp_path)
    assert created.returncode == 0, created.stderr
    assert "Created organization acme" in created.stdout
    password_line = [line for line in created.stdout.splitlines() if "password" in line]
    assert password_line and len(password_line[0].rsplit(" ", 1)[1]) >= 20
    listed = run(["org", "list"], database_url, tmp_path)
    assert listed.returncode == 0 and "acme" in listed.stdout
    again = run(["org", "create", "acme"], database_url, tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr


def test_org_create_refuses_bad_names(database_url: str, tmp_path: Path) -> None:
    for name in ["A", "Acme", "1acme", "acme_corp", "a" * 64]:
        result = run(["org", "create", name], database_url, tmp_path)
        assert result.returncode == 2, name
        assert "lowercase letters" in result.stderr
