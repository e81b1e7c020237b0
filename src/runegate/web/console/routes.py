"""The Console's routes under `/t/{org}/console` (pages, sign-in callback, sign-out, the
one static script)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.state import AppState
from runegate.tenancy.context import TenantContext
from runegate.web.console.api_authorization import ApiAuthorizationPages
from runegate.web.console.api_resources import ApiResourcePages
from runegate.web.console.applications import ApplicationPages
from runegate.web.console.auth import ConsoleAuth
from runegate.web.console.auth import console_path
from runegate.web.console.forms import read_form
from runegate.web.console.groups import GroupPages
from runegate.web.console.organizations import OrganizationPages
from runegate.web.console.roles import RolePages
from runegate.web.console.users import UserPages

BASE = "/t/{org}/console"
APP = f"{BASE}/applications/{{app_id}}"
API = f"{BASE}/api-resources/{{api_id}}"
USER = f"{BASE}/users/{{user_id}}"
GROUP = f"{BASE}/groups/{{group_id}}"
ROLE = f"{BASE}/roles/{{role_id}}"
SCRIPT = resources.files("runegate.web").joinpath("static/console.js").read_bytes()


def console_router(state: AppState) -> APIRouter:
    auth = ConsoleAuth(state)
    apps = ApplicationPages(state, auth)
    apis = ApiAuthorizationPages(state, auth)
    resources_pages = ApiResourcePages(state, auth)
    users = UserPages(state, auth)
    groups = GroupPages(state, auth)
    roles = RolePages(state, auth)
    orgs = OrganizationPages(state, auth)

    async def home(request: Request) -> Response:
        admin = await auth.current(request)
        if isinstance(admin, Response):
            return admin
        tenant: TenantContext = request.state.tenant
        return RedirectResponse(console_path(tenant, "/applications"), status_code=303)

    async def sign_out(request: Request) -> Response:
        form = await read_form(request)
        if isinstance(form, Response):
            return form
        return await auth.sign_out(request)

    async def script(_request: Request) -> Response:
        headers = {"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"}
        return Response(SCRIPT, media_type="text/javascript", headers=headers)

    router = APIRouter(include_in_schema=False)
    add = router.add_route
    add(BASE, home, methods=["GET"])
    add(f"{BASE}/callback", auth.callback, methods=["GET"])
    add(f"{BASE}/signout", sign_out, methods=["POST"])
    add(f"{BASE}/static/console.js", script, methods=["GET"])
    add(f"{BASE}/applications", apps.index, methods=["GET"])
    add(f"{BASE}/applications", apps.create, methods=["POST"])
    add(f"{BASE}/applications/new", apps.new, methods=["GET"])
    add(APP, apps.general, methods=["GET"])
    add(APP, apps.update, methods=["POST"])
    add(f"{APP}/delete", apps.delete, methods=["POST"])
    add(f"{APP}/protocol", apps.protocol, methods=["GET"])
    add(f"{APP}/protocol", apps.update_protocol, methods=["POST"])
    add(f"{APP}/secret", apps.regenerate_secret, methods=["POST"])
    add(f"{APP}/api-authorization", apis.tab, methods=["GET"])
    add(f"{APP}/api-authorization", apis.authorize, methods=["POST"])
    add(f"{APP}/api-authorization/new", apis.new, methods=["GET"])
    add(f"{APP}/api-authorization/{{api_id}}", apis.update, methods=["POST"])
    add(f"{APP}/api-authorization/{{api_id}}/remove", apis.remove, methods=["POST"])
    add(f"{APP}/token-tester", apis.tester, methods=["GET"])
    add(f"{BASE}/api-resources", resources_pages.index, methods=["GET"])
    add(f"{BASE}/api-resources", resources_pages.create, methods=["POST"])
    add(f"{BASE}/api-resources/new", resources_pages.new, methods=["GET"])
    add(API, resources_pages.show, methods=["GET"])
    add(API, resources_pages.update, methods=["POST"])
    add(f"{API}/scopes", resources_pages.add_scope, methods=["POST"])
    add(f"{API}/scopes/delete", resources_pages.delete_scope, methods=["POST"])
    add(f"{API}/delete", resources_pages.delete, methods=["POST"])
    add(f"{BASE}/users", users.index, methods=["GET"])
    add(f"{BASE}/users", users.create, methods=["POST"])
    add(f"{BASE}/users/new", users.new, methods=["GET"])
    add(USER, users.show, methods=["GET"])
    add(USER, users.update, methods=["POST"])
    add(f"{USER}/disable", users.disable, methods=["POST"])
    add(f"{USER}/enable", users.enable, methods=["POST"])
    add(f"{USER}/password", users.reset_password, methods=["POST"])
    add(f"{USER}/delete", users.delete, methods=["POST"])
    add(f"{BASE}/groups", groups.index, methods=["GET"])
    add(f"{BASE}/groups", groups.create, methods=["POST"])
    add(GROUP, groups.show, methods=["GET"])
    add(GROUP, groups.rename, methods=["POST"])
    add(f"{GROUP}/members", groups.add_member, methods=["POST"])
    add(f"{GROUP}/members/remove", groups.remove_member, methods=["POST"])
    add(f"{GROUP}/delete", groups.delete, methods=["POST"])
    add(f"{BASE}/roles", roles.index, methods=["GET"])
    add(f"{BASE}/roles", roles.create, methods=["POST"])
    add(ROLE, roles.show, methods=["GET"])
    add(ROLE, roles.rename, methods=["POST"])
    add(f"{ROLE}/permissions", roles.permissions, methods=["POST"])
    add(f"{ROLE}/users", roles.add_user, methods=["POST"])
    add(f"{ROLE}/users/remove", roles.remove_user, methods=["POST"])
    add(f"{ROLE}/groups", roles.add_group, methods=["POST"])
    add(f"{ROLE}/groups/remove", roles.remove_group, methods=["POST"])
    add(f"{ROLE}/delete", roles.delete, methods=["POST"])
    add(f"{BASE}/organizations", orgs.index, methods=["GET"])
    add(f"{BASE}/organizations", orgs.create, methods=["POST"])
    add(f"{BASE}/organizations/{{org_id}}/delete", orgs.delete, methods=["POST"])
    add(f"{BASE}/organizations/share", orgs.share, methods=["POST"])
    return router
