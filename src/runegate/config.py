"""Deployment settings, read from the environment and an optional `.env` file.

Every field is documented; `docs/configuration.md` is generated from this class
(`runegate config-docs`) and a test fails when it is stale.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic import SecretStr
from pydantic import field_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

WEAK_PASSWORDS = frozenset({"admin", "password", "changeme", "secret", "runegate", "123456"})
MIN_PRODUCTION_PASSWORD = 12
MIN_PRODUCTION_CLIENT_SECRET = 32


class UnsafeConfiguration(Exception):
    """Raised when production mode is asked to run with an unsafe setting."""


class Settings(BaseSettings):
    """Runegate deployment settings (environment variables prefixed `RUNEGATE_`)."""

    model_config = SettingsConfigDict(
        env_prefix="RUNEGATE_", env_file=".env", extra="ignore", frozen=True
    )

    database_url: str = Field(
        "sqlite:///./var/runegate.db",
        description="Database URL. SQLite (`sqlite:///path`) is the embedded default; "
        "use `postgresql://user:pass@host:5432/db` for several workers or nodes.",
    )
    host: str = Field("127.0.0.1", description="Address the HTTP server binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the HTTP server binds to.")
    workers: int = Field(1, ge=1, le=64, description="Number of server worker processes.")
    shutdown_grace_seconds: int = Field(
        15,
        ge=0,
        le=3600,
        description="On SIGTERM, stop accepting connections and let in-flight requests "
        "finish for at most this many seconds, then exit. Keep it below the orchestrator's "
        "kill timeout.",
    )
    public_url: str | None = Field(
        None,
        description="External base URL (default `http://{host}:{port}`). Issuers and "
        "`Location` headers derive from it.",
    )
    root_org: str = Field(
        "default", description="Name of the root organization created at bootstrap."
    )
    admin_username: str = Field(
        "admin", description="First administrator of the root organization."
    )
    admin_password: SecretStr | None = Field(
        None,
        description="Password of the first administrator. If unset, one is generated once, "
        "printed once and stored only as an argon2id hash.",
    )
    bootstrap_client_id: str | None = Field(
        None,
        description="With `RUNEGATE_BOOTSTRAP_CLIENT_SECRET`: bootstrap ensures an M2M "
        "application with exactly these credentials in the root organization, authorized "
        "for every scope of every system API resource.",
    )
    bootstrap_client_secret: SecretStr | None = Field(
        None, description="Client secret of the bootstrap application (see above)."
    )
    env: Literal["development", "production"] = Field(
        "development",
        description="`production` refuses to start without `RUNEGATE_SECRET_KEY`, with "
        "default credentials, or with a non-loopback `http` public URL.",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Server secret for cookies, keyed hashes of client secrets and tokens, "
        "and encryption of signing keys. Comma-separated keys are allowed: the first signs "
        "new values, all are tried for old ones. Generated into `./var/` in development.",
    )
    redis_url: str | None = Field(
        None,
        description="Optional Redis URL (`redis://host:6379/0`) for shared rate-limit "
        "counters and cache invalidation across nodes (pub/sub: a change is seen everywhere "
        "at once). Without it, or while it is down, nodes serve from the database and poll "
        "its change counter.",
    )
    smtp_url: SecretStr | None = Field(
        None,
        description="Outbound mail server for invitations, password recovery and email "
        "verification: `smtp://user:pass@host:587?starttls=1` (STARTTLS), "
        "`smtps://user:pass@host:465` (implicit TLS) or `smtp://host:25` (plain, loopback "
        "only in production). Unset: mails are written as `.eml` files to "
        "`{var_dir}/mail/` (development). See docs/email.md.",
    )
    smtp_from: str = Field(
        "Runegate <no-reply@localhost>",
        description="Sender address (`From`) of outbound mail; an organization may override "
        "it with its attribute `runegate.mail.from`.",
    )
    rate_limits_enabled: bool = Field(
        True,
        description="Rate limits on the token, sign-in and SCIM endpoints (429 with "
        "`Retry-After`). Each limit below is requests per minute per organization, with "
        "bursts up to the same number; 0 disables that limit. Counters are per process, "
        "and shared across nodes when Redis is configured (docs/security.md).",
    )
    rate_limit_token_per_client: int = Field(
        1200, ge=0, description="`POST /oauth2/token` per client id."
    )
    rate_limit_token_per_ip: int = Field(
        1200, ge=0, description="`POST /oauth2/token` per client IP address."
    )
    rate_limit_signin_per_client: int = Field(
        600, ge=0, description="Authorize and login pages per client id."
    )
    rate_limit_signin_per_ip: int = Field(
        120,
        ge=0,
        description="Authorize and login pages per client IP address (slows password "
        "guessing, together with the per-account lockout, docs/security.md).",
    )
    rate_limit_scim_per_client: int = Field(
        1200, ge=0, description="SCIM 2.0 endpoints per client (of the access token)."
    )
    rate_limit_scim_per_ip: int = Field(
        1200, ge=0, description="SCIM 2.0 endpoints per client IP address."
    )
    lockout_failures_per_ip: int = Field(
        50,
        ge=0,
        description="Failed password attempts (any user, password grant and login page) "
        "one client IP address may make in an organization within its lockout failure "
        "window (15 minutes by default) before its further attempts are refused with 429 "
        "until the window ends; 0 disables it. Kept higher than the per-account limit "
        "(5 by default, set per organization through the identity-governance API) so a "
        "shared address is not refused for one user's mistakes (docs/security.md).",
    )
    password_verify_threads: int = Field(
        0,
        ge=0,
        le=256,
        description="Threads per worker process that verify passwords (argon2id) at "
        "sign-in, off the event loop; 0 = half the CPUs, at least 1.",
    )
    password_verify_queue: int = Field(
        64,
        ge=0,
        le=100_000,
        description="Password checks per worker process that may wait for a verification "
        "thread; past that a sign-in is refused at once with 503 and `Retry-After` instead "
        "of queueing without limit, so a burst of logins cannot starve token requests.",
    )
    audit_retention_days: int = Field(
        90,
        ge=0,
        le=36500,
        description="Days an audit event (management change, sign-in) is kept before "
        "housekeeping deletes it (every 10 minutes in each server, and `runegate tokens "
        "purge`). 0 keeps events forever.",
    )
    var_dir: Path = Field(Path("./var"), description="Directory for generated development state.")
    log_level: str = Field("INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    max_body_bytes: int = Field(
        1_048_576, ge=1024, description="Largest accepted request body; larger gets 413."
    )

    @field_validator("root_org")
    @classmethod
    def _check_root_org(cls, value: str) -> str:
        from runegate.tenancy.names import check_org_name

        return check_org_name(value)

    @property
    def base_url(self) -> str:
        url = self.public_url or f"http://{self.host}:{self.port}"
        return url.rstrip("/")

    @property
    def audit_retention(self) -> timedelta | None:
        days = self.audit_retention_days
        return timedelta(days=days) if days else None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @cached_property
    def secret_keys(self) -> tuple[bytes, ...]:
        """The server secrets, newest first (rotation: all are tried for old values)."""
        if self.secret_key is not None:
            raw = self.secret_key.get_secret_value()
        else:
            raw = _development_secret(self.var_dir)
        keys = tuple(k.strip().encode() for k in raw.split(",") if k.strip())
        if not keys:
            raise UnsafeConfiguration("RUNEGATE_SECRET_KEY is empty")
        return keys

    def check_production(self) -> None:
        """Refuse unsafe settings when `RUNEGATE_ENV=production`."""
        if self.env != "production":
            return
        problems = list(_production_problems(self))
        if problems:
            raise UnsafeConfiguration("; ".join(problems))


def _production_problems(settings: Settings) -> list[str]:
    problems: list[str] = []
    if settings.secret_key is None:
        problems.append("RUNEGATE_SECRET_KEY must be set in production")
    elif any(len(k) < 32 for k in settings.secret_key.get_secret_value().split(",")):
        problems.append("each RUNEGATE_SECRET_KEY entry must be at least 32 characters")
    password = settings.admin_password
    if password is not None:
        value = password.get_secret_value()
        if (
            value.lower() in WEAK_PASSWORDS
            or value == settings.admin_username
            or len(value) < MIN_PRODUCTION_PASSWORD
        ):
            problems.append("RUNEGATE_ADMIN_PASSWORD is a default or weak password")
    secret = settings.bootstrap_client_secret
    if secret is not None and len(secret.get_secret_value()) < MIN_PRODUCTION_CLIENT_SECRET:
        problems.append(
            f"RUNEGATE_BOOTSTRAP_CLIENT_SECRET must be at least "
            f"{MIN_PRODUCTION_CLIENT_SECRET} characters"
        )
    smtp = settings.smtp_url
    if smtp is not None and not _smtp_url_is_safe(smtp.get_secret_value()):
        problems.append("RUNEGATE_SMTP_URL must use smtps:// or starttls=1 unless loopback")
    if not _public_url_is_safe(settings.base_url):
        problems.append("RUNEGATE_PUBLIC_URL must be https unless it is a loopback address")
    return problems


def _smtp_url_is_safe(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "smtps" or "starttls=1" in parts.query:
        return True
    return _is_loopback(parts.hostname or "")


def _public_url_is_safe(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    return _is_loopback(parts.hostname or "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _development_secret(var_dir: Path) -> str:
    """Read or create the development secret key in `var_dir` (mode 0600)."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    try:
        with path.open("x") as handle:
            handle.write(value)
        path.chmod(0o600)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    return value


def get_settings() -> Settings:
    return Settings()
