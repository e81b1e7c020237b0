"""Delivering one message: SMTP (stdlib smtplib in a worker thread) or `.eml` files.

`RUNEGATE_SMTP_URL` forms: `smtp://host:25` (plain), `smtp://user:pass@host:587?starttls=1`
(RFC 3207 STARTTLS), `smtps://user:pass@host:465` (implicit TLS, RFC 8314 §3.3). User
and password are percent-decoded; `timeout=` (seconds) is optional.
Without a URL, each message is written to `{var_dir}/mail/` so a developer can open it.
"""

from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

log = logging.getLogger("runegate.mail")


class PermanentFailure(Exception):
    """The server refused the message for good (5xx): retrying cannot help."""


class TransientFailure(Exception):
    """Delivery failed for now (connection, 4xx): retried with backoff."""


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    security: str  # plain | starttls | tls
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


def parse_smtp_url(url: str) -> SmtpTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("RUNEGATE_SMTP_URL must look like smtp://host:port or smtps://host:port")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    security = "tls" if parts.scheme == "smtps" else ("starttls" if starttls else "plain")
    default_port = {"tls": 465, "starttls": 587, "plain": 25}[security]
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=float(query.get("timeout", ["30"])[0]),
    )


class SmtpTransport:
    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self.tls = ssl.create_default_context()

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        t = self.target
        try:
            client: smtplib.SMTP
            if t.security == "tls":
                client = smtplib.SMTP_SSL(t.host, t.port, timeout=t.timeout, context=self.tls)
            else:
                client = smtplib.SMTP(t.host, t.port, timeout=t.timeout)
            with client:
                if t.security == "starttls":
                    client.starttls(context=self.tls)
                if t.username is not None:
                    client.login(t.username, t.password or "")
                client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _classified(min(codes), "recipient refused") from None
        except smtplib.SMTPResponseException as exc:
            raise _classified(exc.smtp_code, f"server answered {exc.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise TransientFailure(type(exc).__name__) from None


def _classified(code: int, text: str) -> Exception:
    return PermanentFailure(text) if 500 <= code < 600 else TransientFailure(text)


class FileTransport:
    """Development: each message becomes `{directory}/{Message-ID}.eml` (mode 0600)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage) -> None:
        await asyncio.to_thread(self._write, message)

    def _write(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = str(message["Message-ID"]).strip("<>").split("@", 1)[0]
        path = self.directory / f"{name}.eml"
        path.touch(mode=0o600)
        path.write_bytes(message.as_bytes())
        # The link is in the file, never in the log.
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], path)


def transport_for(smtp_url: str | None, var_dir: Path) -> Transport:
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url))
    return FileTransport(var_dir / "mail")
