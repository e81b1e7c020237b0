"""Account mails (invitation, password recovery, email verification), composed when sent.

The action's transaction only queues `(kind, user, recipient)`. The sending worker then,
in one transaction, checks that the mail is still wanted (the invitation still pending,
the address still the user's), issues a fresh single-use link (ending the earlier
ones) and renders the organization's template. No usable link is ever stored, and a
retry sends a new link.
"""

from __future__ import annotations

from email.message import EmailMessage
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from runegate.config import Settings
from runegate.identity.account_links import VALIDITY
from runegate.identity.account_links import Purpose
from runegate.identity.account_links import issue_link
from runegate.mail.messages import FROM_ATTRIBUTE
from runegate.mail.messages import Kind
from runegate.mail.messages import org_overrides
from runegate.mail.messages import render
from runegate.mail.outbox import build_message
from runegate.storage.models.mail import MailOutbox
from runegate.storage.models.organization import Organization
from runegate.storage.models.user import User
from runegate.tenancy.context import TenantContext

PENDING_INVITATION = "runegate:pendingInvitation"  # identity.users keeps the same key
PATHS: dict[str, str] = {
    "invite": "accountrecovery/invitation",
    "recovery": "accountrecovery/reset",
    "verify": "accountrecovery/verify-email",
}


def still_wanted(kind: str, user: User | None, recipient: str) -> bool:
    if user is None:
        return False
    if kind == "invite":
        return bool(user.attributes.get(PENDING_INVITATION))
    if kind == "recovery":
        return user.active
    addresses = {str(e.get("value", "")).lower() for e in user.emails}
    return recipient.lower() in addresses


class AccountMails:
    """The outbox's composer for rows with a `kind`."""

    def __init__(self, settings: Settings) -> None:
        self.keys = settings.secret_keys
        self.base_url = settings.base_url
        self.default_sender = settings.smtp_from

    async def compose(self, session: AsyncSession, row: MailOutbox) -> EmailMessage | None:
        """The message to send, or None when it is no longer wanted (cancelled)."""
        org = await session.get(Organization, row.org_id)
        user = await session.get(User, row.user_id) if row.user_id else None
        if org is None or row.kind not in PATHS or user is None or user.org_id != org.id:
            return None
        if not still_wanted(row.kind, user, row.recipient):
            return None
        root = org if org.is_root else await session.get(Organization, org.root_id)
        if root is None:
            return None
        tenant = TenantContext(root.id, root.name, org.id, self.base_url)
        kind: Kind = row.kind  # type: ignore[assignment]
        purpose: Purpose = kind
        email = row.recipient if kind == "verify" else None
        raw = await issue_link(session, tenant, self.keys, user.id, purpose, email=email)
        overrides = org_overrides(org.attributes)
        mail = render(
            kind,
            overrides,
            {
                "org_name": org.name,
                "user_name": user.user_name,
                "display_name": user.display_name or user.given_name or "",
                "link": f"{tenant.tenant_url}/{PATHS[kind]}?token={quote(raw)}",
                "valid_hours": int(VALIDITY[kind].total_seconds() // 3600),
            },
        )
        sender = overrides.get(FROM_ATTRIBUTE.removeprefix("runegate.mail.")) or (
            self.default_sender
        )
        return build_message(
            row.id, row.created_at, sender, row.recipient, mail.subject, mail.text, mail.html
        )
