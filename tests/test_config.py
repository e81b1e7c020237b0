"""Settings per CONTRACT §2: environment, `.env`, production refusals, key rotation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from runegate.config import Settings
from runegate.config import UnsafeConfiguration

STRONG_KEY = "k" * 40


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_defaults_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("RUNEGATE_"):
            monkeypatch.delenv(name)
    s = settings()
    assert s.database_url == "sqlite:///./var/runegate.db"
    assert (s.host, s.port, s.workers) == ("127.0.0.1", 8000, 1)
    assert s.base_url == "http://127.0.0.1:8000"
    assert (s.root_org, s.admin_username, s.env) == ("default", "admin", "development")
    assert s.redis_url is None and s.bootstrap_client_id is None


def test_env_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNEGATE_PORT", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("RUNEGATE_PORT=9123\nRUNEGATE_ROOT_ORG=acme\n")
    s = Settings()
    assert s.port == 9123 and s.root_org == "acme"


def test_public_url_drives_base_url() -> None:
    assert settings(public_url="https://id.example.com/").base_url == "https://id.example.com"


def test_bad_root_org_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="lowercase letters"):
        settings(root_org="Not_Valid")


def test_secret_key_rotation_lists_newest_first() -> None:
    s = settings(secret_key="new-key, old-key")
    assert s.secret_keys == (b"new-key", b"old-key")


def test_development_secret_is_generated_once(tmp_path: Path) -> None:
    first = settings(var_dir=tmp_path).secret_keys
    again = settings(var_dir=tmp_path).secret_keys
    assert first == again and len(first[0]) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_missing_secret_key() -> None:
    with pytest.raises(UnsafeConfiguration, match="RUNEGATE_SECRET_KEY must be set"):
        settings(env="production", public_url="https://id.example.com").check_production()


@pytest.mark.parametrize("password", ["admin", "password", "short", "changeme"])
def test_production_refuses_default_credentials(password: str) -> None:
    s = settings(
        env="production",
        secret_key=STRONG_KEY,
        public_url="https://id.example.com",
        admin_password=password,
    )
    with pytest.raises(UnsafeConfiguration, match="ADMIN_PASSWORD"):
        s.check_production()


def test_production_refuses_short_bootstrap_secret() -> None:
    s = settings(
        env="production",
        secret_key=STRONG_KEY,
        public_url="https://id.example.com",
        bootstrap_client_id="ci",
        bootstrap_client_secret="short",
    )
    with pytest.raises(UnsafeConfiguration, match="BOOTSTRAP_CLIENT_SECRET"):
        s.check_production()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("http://id.example.com", False),
        ("http://10.0.0.5:8000", False),
        ("https://id.example.com", True),
        ("http://127.0.0.1:8000", True),
        ("http://localhost:8000", True),
        ("http://[::1]:8000", True),
    ],
)
def test_production_public_url_rule(url: str, ok: bool) -> None:
    s = settings(env="production", secret_key=STRONG_KEY, public_url=url)
    if ok:
        s.check_production()
    else:
        with pytest.raises(UnsafeConfiguration, match="https"):
            s.check_production()


def test_production_serve_refuses_to_start(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNEGATE_")}
    env.update({"RUNEGATE_ENV": "production", "RUNEGATE_PUBLIC_URL": "http://id.example.com"})
    result = subprocess.run(
        [sys.executable, "-m", "runegate", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "RUNEGATE_SECRET_KEY must be set" in result.stderr
