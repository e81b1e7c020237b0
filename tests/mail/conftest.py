from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.mail.smtpd import Inbox
from tests.mail.smtpd import smtp_server


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    return smtp[0]


@pytest.fixture
def smtp_url(smtp: tuple[Inbox, int]) -> str:
    return f"smtp://127.0.0.1:{smtp[1]}"
