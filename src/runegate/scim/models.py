"""The wire models served under `/scim2`, built on scim2-models.

See: RFC 7643 §4 (User, Group), §4.3 (enterprise extension); the WSO2 extension
`urn:scim:wso2:schema` carries Asgardeo's invitation flags.
"""

from __future__ import annotations

from scim2_models import URN
from scim2_models import EnterpriseUser
from scim2_models import Extension
from scim2_models import Group
from scim2_models import User


class Wso2User(Extension):
    """Asgardeo's `urn:scim:wso2:schema` extension (the flags Runegate acts on)."""

    __schema__ = URN("urn:scim:wso2:schema")

    ask_password: bool | None = None
    """On create: no password; the user stays inactive until the invitation is accepted."""

    verify_email: bool | None = None
    """With a new or changed email: mail the user a verification link."""

    email_verified: bool | None = None
    """Set when the user opened the verification link of the primary email."""


ScimUser = User[EnterpriseUser | Wso2User]
ScimGroup = Group  # members are users of the organization

WSO2_SCHEMA = "urn:scim:wso2:schema"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
