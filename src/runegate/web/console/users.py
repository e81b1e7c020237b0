"""Console: Users (search, create, edit, disable and enable, reset password, delete)
through the identity service that SCIM uses (same password policy, token revocation on
disable, password reset and delete, audit records)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.errors import InvalidInput
from runegate.identity import users as identity
from runegate.identity.passwords import prehashed
from runegate.storage.models.user import User
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import field_errors
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of
from runegate.web.console.section import Posted
from runegate.web.console.section import SectionPages

PAGE_SIZE = 50
SECTION = "users"
# The new-user form's fields and the words the identity service's messages use for them.
NEW_USER_FIELDS = (
    ("password", ("password",)),
    ("email", ("email",)),
    ("userName", ("username", "user name", "username")),
)
NOT_YOURSELF = "You cannot disable or delete the account you are signed in with."


def profile_from(form: Form, user: User | None) -> identity.UserProfile:
    """The profile fields of the form over the user's current profile (or a new one)."""
    name = form.get("userName") if user is None else user.user_name
    if not name:
        raise InvalidInput("Enter the username.")
    emails: list[dict[str, Any]] = [] if user is None else list(user.emails)
    email = form.get("email")
    if email != (identity.primary_email(emails) or ""):
        emails = [e for e in emails if not e.get("primary")]
        emails = [{"value": email, "primary": True}, *emails] if email else emails
    active: bool | None = True
    if user is not None:
        active = user.active if identity.active_is_set(user) else None
    profile = identity.UserProfile(
        user_name=name,
        active=active,
        external_id=None if user is None else user.external_id,
        given_name=form.get("givenName") or None,
        family_name=form.get("familyName") or None,
        display_name=form.get("displayName") or None,
        emails=emails,
    )
    profile.document = scim_document(profile, user)
    return profile


def scim_document(profile: identity.UserProfile, user: User | None) -> dict[str, Any]:
    """The stored SCIM document with `name` and `displayName` as the profile says (SCIM
    serves the user from it; other attributes are kept)."""
    document = {} if user is None else identity.profile_document(user)
    parts = {**(document.get("name") or {}), "givenName": profile.given_name}
    parts["familyName"] = profile.family_name
    named = {k: v for k, v in parts.items() if v}
    document = {k: v for k, v in document.items() if k not in ("name", "displayName")}
    if named:
        document["name"] = named
    if profile.display_name:
        document["displayName"] = profile.display_name
    return document


def same_profile(user: User, **changes: Any) -> identity.UserProfile:
    profile = profile_from(
        Form(
            {
                "email": [identity.primary_email(user.emails) or ""],
                "givenName": [user.given_name or ""],
                "familyName": [user.family_name or ""],
                "displayName": [user.display_name or ""],
            }
        ),
        user,
    )
    for name, value in changes.items():
        setattr(profile, name, value)
    return profile


class UserPages(SectionPages):
    section = SECTION
    path = "/users"
    template = "console/user.html"
    id_param = "user_id"

    async def index(self, request: Request) -> Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        search, total, rows = await self._search(
            request, identity.search_users, User.user_name_ci, PAGE_SIZE
        )
        return render(
            request,
            admin,
            "console/users.html",
            section=SECTION,
            users=rows,
            total=total,
            search=search,
            primary_email=identity.primary_email,
        )

    def _new_page(
        self, request: Request, admin: ConsoleAdmin, form: Form, error: str | None, status: int
    ) -> Response:
        return render(
            request,
            admin,
            "console/user_new.html",
            status=status,
            section=SECTION,
            form=form,
            error=error,
            errors=field_errors(error, NEW_USER_FIELDS, "userName") if error else None,
        )

    async def new(self, request: Request) -> Response:
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        return self._new_page(request, admin, Form({}), None, 200)

    async def create(self, request: Request) -> Response:
        posted = await self._posted(request, "create")
        if isinstance(posted, Response):
            return posted
        form, tenant = posted.form, posted.tenant
        password = form.fields.get("password", [""])[0]
        try:
            profile = profile_from(form, None)
            if not password:
                raise InvalidInput("Enter a password for the new user.")
            async with prehashed([password]), self.state.db.write() as session:
                user = await identity.create_user(session, tenant, profile, password=password)
        except IdpError as exc:
            return self._new_page(request, posted.admin, form, exc.description, status_of(exc))
        return RedirectResponse(console_path(tenant, f"/users/{user.id}?saved=1"), 303)

    async def _load(
        self, admin: ConsoleAdmin, tenant: TenantContext, user_id: str
    ) -> dict[str, Any]:
        async with self.state.db.read() as session:
            user = await identity.get_user(session, tenant, user_id)
        return {
            "user": user,
            "email": identity.primary_email(user.emails) or "",
            "is_self": user.id == admin.user_id,
        }

    async def _apply(self, posted: Posted) -> None:
        form, tenant, user_id, action = posted.form, posted.tenant, posted.object_id, posted.action
        password = form.fields.get("password", [""])[0] if action == "password" else None
        if action in ("disable", "delete") and user_id == posted.admin.user_id:
            raise InvalidInput(NOT_YOURSELF)
        if action == "password" and not password:
            raise InvalidInput("Enter the new password.")
        async with prehashed([password] if password else []), self.state.db.write() as s:
            user = await identity.get_user(s, tenant, user_id)
            if action == "delete":
                form.confirm_delete("user")
                await identity.delete_user(s, tenant, user.id, expected_version=None)
            else:
                profile = _changed_profile(action, form, user)
                await identity.update_user(s, tenant, user.id, profile, password=password)

    async def update(self, request: Request) -> Response:
        return await self._change(request, "profile")

    async def disable(self, request: Request) -> Response:
        return await self._change(request, "disable")

    async def enable(self, request: Request) -> Response:
        return await self._change(request, "enable")

    async def reset_password(self, request: Request) -> Response:
        return await self._change(request, "password")

    async def delete(self, request: Request) -> Response:
        return await self._change(request, "delete")


def _changed_profile(action: str, form: Form, user: User) -> identity.UserProfile:
    if action == "profile":
        return profile_from(form, user)
    if action in ("disable", "enable"):
        return same_profile(user, active=action == "enable")
    return same_profile(user)  # a password reset keeps the profile
