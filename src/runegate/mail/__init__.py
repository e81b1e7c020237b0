"""Outbound mail: SMTP or file transport, the persistent outbox, per-organization templates."""
