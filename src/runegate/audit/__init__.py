"""The audit trail: `record` (inside a write transaction) and `record_sign_in`."""

from runegate.audit.service import record
from runegate.audit.service import record_sign_in

__all__ = ["record", "record_sign_in"]
