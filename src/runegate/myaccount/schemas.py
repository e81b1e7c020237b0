"""Wire models of the end-user APIs (shapes of WSO2 Identity Server's user APIs)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runegate.management.common.schemas import StrictModel
from runegate.management.common.schemas import WireModel


class PasswordChange(StrictModel):
    currentPassword: str = Field(max_length=1024)
    newPassword: str = Field(max_length=1024)


class TotpRequest(StrictModel):
    action: Literal["INIT", "REFRESH", "VALIDATE"]
    # An integer in the upstream definition; a string keeps leading zeros.
    verificationCode: int | str | None = None


class TotpResponse(WireModel):
    qrCodeUrl: str | None = None
    isValid: bool | None = None
    enrolled: bool | None = None  # Runegate: whether TOTP is asked at sign-in


class TotpSecret(WireModel):
    secret: str


class BackupCodes(WireModel):
    backupCodes: list[str]


class RemainingBackupCodes(WireModel):
    remainingBackupCodesCount: int


class SessionApplication(WireModel):
    id: str
    subject: str
    appName: str
    appId: str


class Session(WireModel):
    id: str
    applications: list[SessionApplication]
    userAgent: str | None = None
    ip: str | None = None
    loginTime: str  # epoch milliseconds, as a string (upstream)
    lastAccessTime: str


class Sessions(WireModel):
    userId: str
    sessions: list[Session]


class AuthorizedApp(WireModel):
    id: str
    name: str
    clientId: str
    scopes: list[str]
    updatedAt: str
