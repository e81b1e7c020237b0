"""The wire models served under `/scim2`, built on scim2-models.

See: RFC 7643 §4 (User, Group), §4.3 (enterprise extension); the WSO2 extension
`urn:scim:wso2:schema` carries Asgardeo's invitation flags.
"""

from __future__ import annotations

from typing import Annotated
from typing import Any

from scim2_models import URN
from scim2_models import EnterpriseUser
from scim2_models import Extension
from scim2_models import Group
from scim2_models import Mutability
from scim2_models import Returned
from scim2_models import User


class Wso2User(Extension):
    """Asgardeo's `urn:scim:wso2:schema` extension (the flags Runegate acts on)."""

    __schema__ = URN("urn:scim:wso2:schema")

    ask_password: Annotated[bool | None, Mutability.write_only, Returned.never] = None
    """Create the user without a password, inactive until the invitation is accepted."""

    verify_email: Annotated[bool | None, Mutability.write_only, Returned.never] = None
    """Ask the user to verify the primary email (accepted; no mail is sent)."""


ScimUser = User[EnterpriseUser | Wso2User]
ScimGroup = Group

WSO2_SCHEMA = "urn:scim:wso2:schema"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

# Concrete generic aliases, for mypy (scim2-models types them by subscripting).
UserModel = Any
