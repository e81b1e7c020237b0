"""Authorization responses to a verified redirect URI: query redirect or form post.

Implements: RFC 6749 §4.1.2 (code and state in the query, keeping the URI's own query),
§4.1.2.1 (error, error_description, state), OAuth 2.0 Form Post Response Mode.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.responses import RedirectResponse
from starlette.responses import Response

from runegate.errors import OAuthError
from runegate.oauth.endpoints.authorize import RedirectTarget
from runegate.web.pages import render_form_post

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def respond(target: RedirectTarget, values: dict[str, str], *, after_post: bool) -> Response:
    fields = list(values.items())
    if target.state is not None:
        fields.append(("state", target.state))
    if target.response_mode == "form_post":
        return render_form_post(target.redirect_uri, fields)
    separator = "&" if "?" in target.redirect_uri else "?"
    url = f"{target.redirect_uri}{separator}{urlencode(fields)}"
    # 303 after a form post so the browser follows with GET.
    return RedirectResponse(url, status_code=303 if after_post else 302, headers=NO_STORE)


def respond_error(target: RedirectTarget, error: OAuthError, *, after_post: bool) -> Response:
    values = {"error": error.error, "error_description": error.description}
    return respond(target, values, after_post=after_post)
