"""Generated documentation stays current."""

from __future__ import annotations

from pathlib import Path

from runegate.docs_gen import configuration_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_configuration_docs_are_current() -> None:
    committed = (ROOT / "docs" / "configuration.md").read_text()
    assert committed == configuration_markdown(), "run `make docs` to regenerate"


def test_every_contract_setting_is_documented() -> None:
    text = configuration_markdown()
    for name in [
        "DATABASE_URL",
        "HOST",
        "PORT",
        "WORKERS",
        "PUBLIC_URL",
        "ROOT_ORG",
        "ADMIN_USERNAME",
        "ADMIN_PASSWORD",
        "BOOTSTRAP_CLIENT_ID",
        "BOOTSTRAP_CLIENT_SECRET",
        "ENV",
        "SECRET_KEY",
        "REDIS_URL",
    ]:
        assert f"`RUNEGATE_{name}`" in text
