"""`runegate tokens purge`: delete expired and revoked token rows, and audit events past
their retention (`RUNEGATE_AUDIT_RETENTION_DAYS`), now."""

from __future__ import annotations

from functools import partial

import typer

from runegate.cli.common import load_settings
from runegate.cli.common import out
from runegate.cli.common import with_db
from runegate.oauth.housekeeping import purge

tokens_app = typer.Typer(help="Issued tokens housekeeping.", no_args_is_help=True)


@tokens_app.command("purge")
def purge_tokens() -> None:
    """Delete expired or revoked tokens, expired deny-list entries, assertion ids,
    authorization codes, SSO sessions, and audit events older than the retention."""
    settings = load_settings()
    report = with_db(settings, partial(purge, audit_retention=settings.audit_retention))
    out.print(
        f"purged {report.tokens} token rows, {report.denied_jtis} deny-list entries, "
        f"{report.assertions} assertion ids, {report.signin} sign-in codes and sessions, "
        f"{report.audit_events} audit events"
    )
