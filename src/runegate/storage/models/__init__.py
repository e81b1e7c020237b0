"""Typed models, one module per aggregate. Importing this package registers them all."""

from runegate.storage.models.api_resource import ApiResource
from runegate.storage.models.api_resource import ApiScope
from runegate.storage.models.application import Application
from runegate.storage.models.application import ApplicationShare
from runegate.storage.models.application import AuthorizedApi
from runegate.storage.models.application import AuthorizedScope
from runegate.storage.models.audit import AuditEvent
from runegate.storage.models.base import Base
from runegate.storage.models.key import SigningKey
from runegate.storage.models.lockout import SignInCounter
from runegate.storage.models.mail import AccountToken
from runegate.storage.models.mail import MailOutbox
from runegate.storage.models.mfa import UserBackupCode
from runegate.storage.models.mfa import UserTotp
from runegate.storage.models.organization import Organization
from runegate.storage.models.role import Role
from runegate.storage.models.role import RoleGroup
from runegate.storage.models.role import RoleScope
from runegate.storage.models.role import RoleUser
from runegate.storage.models.signin import AuthorizationCode
from runegate.storage.models.signin import SsoSession
from runegate.storage.models.signin import UserConsent
from runegate.storage.models.system import ChangeVersion
from runegate.storage.models.system import DeploymentCheck
from runegate.storage.models.token import IssuedToken
from runegate.storage.models.token import RevokedJti
from runegate.storage.models.token import UsedAssertion
from runegate.storage.models.user import Group
from runegate.storage.models.user import GroupMember
from runegate.storage.models.user import ResourceCount
from runegate.storage.models.user import User
from runegate.storage.models.user import UserEmail

__all__ = [
    "AccountToken",
    "ApiResource",
    "ApiScope",
    "Application",
    "ApplicationShare",
    "AuditEvent",
    "AuthorizationCode",
    "AuthorizedApi",
    "AuthorizedScope",
    "Base",
    "ChangeVersion",
    "DeploymentCheck",
    "Group",
    "GroupMember",
    "IssuedToken",
    "MailOutbox",
    "Organization",
    "ResourceCount",
    "RevokedJti",
    "Role",
    "RoleGroup",
    "RoleScope",
    "RoleUser",
    "SignInCounter",
    "SigningKey",
    "SsoSession",
    "UsedAssertion",
    "User",
    "UserBackupCode",
    "UserConsent",
    "UserEmail",
    "UserTotp",
]
