"""Wire models of the application management API (Asgardeo's ApplicationModel family)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runegate.management.applications.oidc_schemas import OidcConfig
from runegate.management.common.schemas import Link
from runegate.management.common.schemas import StrictModel
from runegate.management.common.schemas import WireModel
from runegate.management.organizations.schemas import BasicOrganization

NAME_PATTERN = r"^\S(.*\S)?$"
TEXT_LENGTH = 1024


class Role(StrictModel):
    id: str = Field(max_length=255)
    name: str | None = Field(default=None, max_length=255)


class AssociatedRoles(StrictModel):
    allowedAudience: Literal["ORGANIZATION", "APPLICATION"] = "ORGANIZATION"
    roles: list[Role] = Field(default_factory=list, max_length=100)


class Certificate(StrictModel):
    type: Literal["PEM", "JWKS"]
    value: str = Field(max_length=16384)


class AdvancedConfigurations(StrictModel):
    """Stored for the issues that act on them; `certificate` is validated now."""

    saas: bool | None = None
    discoverableByEndUsers: bool | None = None
    certificate: Certificate | None = None
    skipLoginConsent: bool | None = None
    skipLogoutConsent: bool | None = None
    useExternalConsentPage: bool | None = None
    returnAuthenticatedIdpList: bool | None = None
    enableAuthorization: bool | None = None
    fragment: bool | None = None
    enableAPIBasedAuthentication: bool | None = None


class ClaimRef(StrictModel):
    id: str | None = None
    uri: str = Field(max_length=512)
    displayName: str | None = None


class RequestedClaim(StrictModel):
    claim: ClaimRef
    mandatory: bool = False


class SubjectClaimConfig(StrictModel):
    claim: ClaimRef | None = None
    includeUserDomain: bool | None = None
    includeTenantDomain: bool | None = None
    useMappedLocalSubject: bool | None = None
    mappedLocalSubjectMandatory: bool | None = None


class ClaimConfiguration(StrictModel):
    dialect: Literal["CUSTOM", "LOCAL"] = "LOCAL"
    requestedClaims: list[RequestedClaim] = Field(default_factory=list, max_length=200)
    subject: SubjectClaimConfig | None = None


class AuthenticatorRef(StrictModel):
    idp: str = Field(max_length=255)
    authenticator: str = Field(max_length=255)


class AuthenticationStep(StrictModel):
    id: int = Field(ge=1, le=100)
    options: list[AuthenticatorRef] = Field(min_length=1, max_length=20)


class AuthenticationSequence(StrictModel):
    type: Literal["DEFAULT", "USER_DEFINED"] = "DEFAULT"
    steps: list[AuthenticationStep] = Field(default_factory=list, max_length=20)
    requestPathAuthenticators: list[str] = Field(default_factory=list, max_length=20)
    script: str | None = Field(default=None, max_length=65536)
    subjectStepId: int = Field(default=1, ge=1, le=100)
    attributeStepId: int = Field(default=1, ge=1, le=100)


class InboundProtocols(StrictModel):
    oidc: OidcConfig | None = None


class ApplicationFields(StrictModel):
    """Fields shared by create (ApplicationModel) and patch (ApplicationPatchModel)."""

    description: str | None = Field(default=None, max_length=TEXT_LENGTH)
    applicationVersion: str | None = Field(default=None, max_length=64)
    imageUrl: str | None = Field(default=None, max_length=TEXT_LENGTH)
    accessUrl: str | None = Field(default=None, max_length=TEXT_LENGTH)
    logoutReturnUrl: str | None = Field(default=None, max_length=TEXT_LENGTH)
    templateId: str | None = Field(default=None, max_length=64)
    templateVersion: str | None = Field(default=None, max_length=64)
    enhancedOrgAuthenticationEnabled: bool | None = None
    applicationEnabled: bool | None = None
    associatedRoles: AssociatedRoles | None = None
    claimConfiguration: ClaimConfiguration | None = None
    authenticationSequence: AuthenticationSequence | None = None
    advancedConfigurations: AdvancedConfigurations | None = None


class ApplicationCreate(ApplicationFields):
    """ApplicationModel (POST /applications)."""

    id: str | None = Field(default=None, max_length=64, description="Read-only; ignored.")
    name: str = Field(min_length=1, max_length=255, pattern=NAME_PATTERN)
    isManagementApp: bool = False
    isB2BSelfServiceApp: bool = False
    inboundProtocolConfiguration: InboundProtocols | None = None


class ApplicationPatch(ApplicationFields):
    """ApplicationPatchModel (PATCH /applications/{id})."""

    name: str | None = Field(default=None, min_length=1, max_length=255, pattern=NAME_PATTERN)


class InboundProtocolItem(WireModel):
    type: str
    name: str
    self: str


class ApplicationResponse(WireModel):
    """ApplicationResponseModel."""

    id: str
    name: str
    description: str | None = None
    applicationVersion: str | None = None
    imageUrl: str | None = None
    accessUrl: str | None = None
    logoutReturnUrl: str | None = None
    clientId: str | None = None
    issuer: str | None = None
    templateId: str | None = None
    templateVersion: str | None = None
    isManagementApp: bool = False
    isB2BSelfServiceApp: bool = False
    enhancedOrgAuthenticationEnabled: bool | None = None
    applicationEnabled: bool = True
    associatedRoles: AssociatedRoles | None = None
    claimConfiguration: ClaimConfiguration | None = None
    inboundProtocols: list[InboundProtocolItem] = Field(default_factory=list)
    authenticationSequence: AuthenticationSequence | None = None
    advancedConfigurations: AdvancedConfigurations | None = None
    access: Literal["READ", "WRITE"] = "WRITE"


class ApplicationListItem(WireModel):
    id: str
    name: str
    description: str | None = None
    applicationVersion: str | None = None
    image: str | None = None
    accessUrl: str | None = None
    clientId: str | None = None
    issuer: str | None = None
    access: Literal["READ", "WRITE"] = "WRITE"
    self: str
    advancedConfigurations: AdvancedConfigurations | None = None
    templateId: str | None = None
    templateVersion: str | None = None
    associatedRoles: AssociatedRoles | None = None
    applicationEnabled: bool | None = None


class ApplicationList(WireModel):
    totalResults: int
    startIndex: int
    count: int
    applications: list[ApplicationListItem]
    links: list[Link]


class ApplicationCreated(WireModel):
    """Runegate's body beside `Location` (CONTRACT §4.6): the only time a generated
    secret is shown, besides regenerate-secret."""

    id: str
    name: str
    templateId: str | None = None
    clientId: str | None = None
    clientSecret: str | None = None
    self: str


class AuthorizedScopeItem(WireModel):
    id: str
    name: str
    displayName: str | None = None


class AuthorizedApi(WireModel):
    """AuthorizedAPIResponse."""

    id: str
    identifier: str
    displayName: str
    policyId: str
    type: str
    authorizedScopes: list[AuthorizedScopeItem]


class AuthorizedApiCreate(StrictModel):
    """AuthorizedAPICreationModel."""

    id: str = Field(min_length=1, max_length=64)
    policyIdentifier: Literal["RBAC", "No Policy"] = "RBAC"
    scopes: list[str] = Field(default_factory=list, max_length=500)
    authorizationDetailsTypes: list[str] = Field(default_factory=list, max_length=0)


class AuthorizedApiPatch(StrictModel):
    """AuthorizedAPIPatchModel."""

    addedScopes: list[str] = Field(default_factory=list, max_length=500)
    removedScopes: list[str] = Field(default_factory=list, max_length=500)
    addedAuthorizationDetailsTypes: list[str] = Field(default_factory=list, max_length=0)
    removedAuthorizationDetailsTypes: list[str] = Field(default_factory=list, max_length=0)


class ApplicationShareRequest(StrictModel):
    shareWithAllChildren: bool = False
    sharedOrganizations: list[str] = Field(default_factory=list, max_length=1000)


class SharedOrganizations(WireModel):
    organizations: list[BasicOrganization] = Field(default_factory=list)


class SharedApplication(WireModel):
    applicationId: str
    organizationId: str


class SharedApplications(WireModel):
    sharedApplications: list[SharedApplication] = Field(default_factory=list)
