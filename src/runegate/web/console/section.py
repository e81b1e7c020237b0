"""What the pages of one Console section share (Users, Groups, Roles, API Resources,
Applications): the signed-in administrator, the list page's search, the page of one
object, and the forms posted to it.

An object form is read after sign-in and the CSRF check (forms.admin_form), then the
section's `_apply` changes the object through its service. A refused change shows the
object page again with the public message and the error's status; a done change
redirects (303) to the object page with `?saved=1`, or to the list after a delete.
"""

from __future__ import annotations

from abc import ABC
from abc import abstractmethod
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import IdpError
from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web.console.auth import ConsoleAdmin
from runegate.web.console.auth import ConsoleAuth
from runegate.web.console.auth import console_path
from runegate.web.console.forms import Form
from runegate.web.console.forms import admin_form
from runegate.web.console.forms import error_text
from runegate.web.console.forms import not_found
from runegate.web.console.forms import render
from runegate.web.console.forms import status_of

MAX_SEARCH = 200
Search = Callable[..., Awaitable[tuple[int, Sequence[Any]]]]


@dataclass(frozen=True, slots=True)
class Posted:
    """A form posted to a section's page, after sign-in and the CSRF check."""

    admin: ConsoleAdmin
    form: Form
    tenant: TenantContext
    object_id: str  # the object's path parameter ("" on the list page)
    action: str


class SectionForms:
    """What every section's handlers have: the app state, the Console sign-in, and forms
    read after sign-in and the CSRF check."""

    section: ClassVar[str]  # the navigation entry
    path: ClassVar[str]  # the list page below the Console, e.g. "/users"
    id_param: ClassVar[str]  # the object's path parameter, e.g. "user_id"

    def __init__(self, state: AppState, auth: ConsoleAuth) -> None:
        self.state = state
        self.auth = auth

    async def _posted(self, request: Request, action: str) -> Posted | Response:
        posted = await admin_form(self.auth, request)
        if isinstance(posted, Response):
            return posted
        admin, form = posted
        object_id = str(request.path_params.get(self.id_param, ""))
        return Posted(admin, form, request.state.tenant, object_id, action)


class SectionPages(SectionForms, ABC):
    """A section with one object page and its forms: subclasses load and change the
    object; the rest (redirects, errors in the page, not-found) is here."""

    template: ClassVar[str]  # the object's page
    # The errors a form shows in the page (anything else is a server error).
    refused: ClassVar[tuple[type[Exception], ...]] = (IdpError,)

    @abstractmethod
    async def _apply(self, posted: Posted) -> None:
        """Change the object as `posted.action` says, or raise one of `refused`."""

    async def _change(self, request: Request, action: str) -> Response:
        """An object form: apply it, then redirect, or show the object page with the error."""
        posted = await self._posted(request, action)
        if isinstance(posted, Response):
            return posted
        try:
            await self._apply(posted)
        except self.refused as exc:
            return await self.show(request, error=error_text(exc), status=status_of(exc))
        if action == "delete":
            return RedirectResponse(console_path(posted.tenant, self.path), 303)
        saved = f"{self.path}/{posted.object_id}?saved=1"
        return RedirectResponse(console_path(posted.tenant, saved), 303)

    async def show(
        self, request: Request, *, error: str | None = None, status: int = 200
    ) -> Response:
        """One object's page; the not-found page when `_load` refuses the id."""
        admin = await self.auth.current(request)
        if isinstance(admin, Response):
            return admin
        tenant: TenantContext = request.state.tenant
        try:
            context = await self._load(admin, tenant, str(request.path_params[self.id_param]))
        except IdpError as exc:
            return not_found(request, admin, exc, self.section)
        context.update(await self._extra(tenant, context))
        return render(
            request,
            admin,
            self.template,
            status=status,
            section=self.section,
            error=error,
            saved=request.query_params.get("saved"),
            **context,
        )

    @abstractmethod
    async def _load(
        self, admin: ConsoleAdmin, tenant: TenantContext, object_id: str
    ) -> dict[str, Any]:
        """The object page's values, or raise IdpError (NotFound) for an unknown id."""

    async def _extra(self, tenant: TenantContext, context: dict[str, Any]) -> dict[str, Any]:
        """Values added once the object is found (their errors are not a not-found)."""
        return {}

    async def _search(
        self, request: Request, search: Search, column: Any, limit: int
    ) -> tuple[str, int, Sequence[Any]]:
        """The list page's `q` (a case-insensitive "contains" on `column`), its total
        and first page."""
        text = request.query_params.get("q", "").strip()[:MAX_SEARCH]
        where = column.contains(text.lower(), autoescape=True) if text else None
        session: AsyncSession
        async with self.state.db.read() as session:
            total, rows = await search(
                session,
                request.state.tenant,
                where=where,
                order_by=[column],
                offset=0,
                limit=limit,
            )
        return text, total, rows
