"""The wire models served under `/scim2`, built on scim2-models.

See: RFC 7643 §4 (User, Group), §4.3 (enterprise extension); the WSO2 extension
`urn:scim:wso2:schema` carries Asgardeo's invitation flags.
"""

from __future__ import annotations

from typing import Annotated
from typing import ClassVar

from pydantic import Field
from scim2_models import URN
from scim2_models import ComplexAttribute
from scim2_models import EnterpriseUser
from scim2_models import Extension
from scim2_models import Group
from scim2_models import Mutability
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

    account_locked: bool | None = None
    """True while the account is locked (failed sign-ins or an administrator); writing
    false unlocks it, true locks it until unlocked (identity/lockout.py)."""


class RoleOfResource(ComplexAttribute):
    """A role a user or group holds (Asgardeo Roles v2): read-only, assigned through
    `/scim2/v2/Roles`. `value` is the role id."""

    value: Annotated[str | None, Mutability.read_only] = None
    display: Annotated[str | None, Mutability.read_only] = None
    ref: Annotated[str | None, Mutability.read_only] = Field(
        None, serialization_alias="$ref", validation_alias="$ref"
    )
    audience_value: Annotated[str | None, Mutability.read_only] = None
    """The organization or application id of the role's audience."""

    audience_type: Annotated[str | None, Mutability.read_only] = None
    """`organization` or `application`."""

    audience_display: Annotated[str | None, Mutability.read_only] = None
    """The name of the audience organization or application."""


class ScimUser(User[EnterpriseUser | Wso2User]):
    """RFC 7643 §4.1 User; `roles` (§4.1.2) is read-only here (see docs/scim.md)."""

    roles: Annotated[list[RoleOfResource] | None, Mutability.read_only] = None  # type: ignore[assignment]
    Roles: ClassVar[type[ComplexAttribute]] = RoleOfResource


class ScimGroup(Group):
    """RFC 7643 §4.2 Group (members are users of the organization) with Asgardeo's
    read-only `roles`."""

    roles: Annotated[list[RoleOfResource] | None, Mutability.read_only] = None
    Roles: ClassVar[type[ComplexAttribute]] = RoleOfResource


WSO2_SCHEMA = "urn:scim:wso2:schema"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
