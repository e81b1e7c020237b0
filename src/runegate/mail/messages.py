"""Mail templates: built-in defaults, overridable per organization, rendered sandboxed.

An organization overrides a template with its attributes
`runegate.mail.<kind>.subject`, `.text` and `.html` (Jinja2 syntax, rendered in a
sandbox). HTML is autoescaped; plain text is not (it is not markup); the subject is a
single line. Variables: `org_name`, `user_name`, `display_name`, `link`, `valid_hours`.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from typing import Literal

from jinja2 import StrictUndefined
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

Kind = Literal["invite", "recovery", "verify"]
KINDS: tuple[Kind, ...] = ("invite", "recovery", "verify")
ATTRIBUTE_PREFIX = "runegate.mail."
FROM_ATTRIBUTE = "runegate.mail.from"

_HTML_LAYOUT = """<!doctype html>
<html><body style="font-family: system-ui, sans-serif; color: #111827">
<p><strong>{{ org_name }}</strong></p>
{body}
<p style="color: #4b5563; font-size: 0.9em">If you did not expect this message, ignore it.</p>
</body></html>
"""

DEFAULTS: dict[Kind, dict[str, str]] = {
    "invite": {
        "subject": "You are invited to {{ org_name }}",
        "text": (
            "Hello {{ display_name or user_name }},\n\n"
            "An account named {{ user_name }} was created for you in {{ org_name }}.\n"
            "Choose your password here (valid for {{ valid_hours }} hours, once):\n\n"
            "{{ link }}\n"
        ),
        "html": _HTML_LAYOUT.replace(
            "{body}",
            "<p>Hello {{ display_name or user_name }},</p>\n"
            "<p>An account named <strong>{{ user_name }}</strong> was created for you in "
            "{{ org_name }}.</p>\n"
            '<p><a href="{{ link }}">Choose your password</a> (valid for {{ valid_hours }} '
            "hours, once).</p>",
        ),
    },
    "recovery": {
        "subject": "Reset your {{ org_name }} password",
        "text": (
            "Hello {{ display_name or user_name }},\n\n"
            "Someone asked to reset the password of {{ user_name }} in {{ org_name }}.\n"
            "Choose a new password here (valid for {{ valid_hours }} hours, once):\n\n"
            "{{ link }}\n\nIf it was not you, ignore this message: nothing changes.\n"
        ),
        "html": _HTML_LAYOUT.replace(
            "{body}",
            "<p>Hello {{ display_name or user_name }},</p>\n"
            "<p>Someone asked to reset the password of <strong>{{ user_name }}</strong> in "
            "{{ org_name }}.</p>\n"
            '<p><a href="{{ link }}">Choose a new password</a> (valid for {{ valid_hours }} '
            "hours, once).</p>",
        ),
    },
    "verify": {
        "subject": "Confirm your email address for {{ org_name }}",
        "text": (
            "Hello {{ display_name or user_name }},\n\n"
            "Confirm that this address belongs to {{ user_name }} in {{ org_name }} "
            "(valid for {{ valid_hours }} hours, once):\n\n{{ link }}\n"
        ),
        "html": _HTML_LAYOUT.replace(
            "{body}",
            "<p>Hello {{ display_name or user_name }},</p>\n"
            "<p>Confirm that this address belongs to <strong>{{ user_name }}</strong> in "
            "{{ org_name }}.</p>\n"
            '<p><a href="{{ link }}">Confirm my email address</a> (valid for {{ valid_hours }} '
            "hours, once).</p>",
        ),
    },
}

_html = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
_text = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def org_overrides(attributes: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`runegate.mail.*` organization attributes as {rest-of-key: value}."""
    found: dict[str, str] = {}
    for item in attributes:
        key = str(item.get("key", ""))
        if key.startswith(ATTRIBUTE_PREFIX):
            found[key.removeprefix(ATTRIBUTE_PREFIX)] = str(item.get("value", ""))
    return found


def render(kind: Kind, overrides: Mapping[str, str], context: Mapping[str, Any]) -> Rendered:
    """Render one mail; a broken organization template falls back to the default."""
    parts: dict[str, str] = {}
    for part in ("subject", "text", "html"):
        env = _html if part == "html" else _text
        custom = overrides.get(f"{kind}.{part}")
        try:
            parts[part] = env.from_string(custom or DEFAULTS[kind][part]).render(context)
        except TemplateError:
            parts[part] = env.from_string(DEFAULTS[kind][part]).render(context)
    subject = " ".join(parts["subject"].split())[:250]
    return Rendered(subject=subject, text=parts["text"], html=parts["html"])
