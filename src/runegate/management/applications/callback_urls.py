"""Redirect URI registration rules and matching.

Implements: RFC 6749 §3.1.2 (absolute URI, no fragment), RFC 8252 §7.1/§7.3 (private-use
schemes, loopback http), OAuth 2.0 Security BCP §4.1.3 (https elsewhere). Asgardeo also
accepts one `regexp=<pattern>` entry, matched against the whole redirect URI
(fullmatch). Patterns are capped in length and screened for nested or alternated
quantified groups (the shapes that backtrack catastrophically); the input is capped
too, which together bound the matching time.
"""

from __future__ import annotations

import re
from functools import lru_cache
from re import _parser as sre_parse  # the stdlib regex parser (Python 3.11+)
from typing import Any
from urllib.parse import urlsplit

REGEXP_PREFIX = "regexp="
MAX_URL_LENGTH = 2048
MAX_PATTERN_LENGTH = 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})

_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


class CallbackError(ValueError):
    """Why a callback URL is refused (public text)."""


def check_url(url: str, *, allow_custom_scheme: bool = True) -> str:
    """Refuse URLs that are not safe redirect targets; returns the URL."""
    if len(url) > MAX_URL_LENGTH:
        raise CallbackError(f"is longer than {MAX_URL_LENGTH} characters")
    if "#" in url:
        raise CallbackError("must not contain a fragment (RFC 6749 §3.1.2)")
    if any(c.isspace() for c in url):
        raise CallbackError("must not contain whitespace")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme:
        raise CallbackError("must be an absolute URL (RFC 6749 §3.1.2)")
    if scheme == "https":
        if not parts.hostname:
            raise CallbackError("must name a host")
        return url
    if scheme == "http":
        if parts.hostname not in LOOPBACK_HOSTS:
            raise CallbackError("http is allowed only for loopback hosts (RFC 8252 §7.3)")
        return url
    if allow_custom_scheme and "." in scheme and scheme not in {"javascript", "data"}:
        return url  # RFC 8252 §7.1: private-use URI scheme such as com.example.app
    raise CallbackError(f"the scheme {scheme!r} is not allowed")


def check_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a `regexp=` pattern, refusing ones that may backtrack catastrophically."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise CallbackError(f"the pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        parsed = sre_parse.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise CallbackError(f"the pattern is not a valid regular expression ({exc})") from None
    if _has_nested_repeat(list(parsed), inside_repeat=False):
        raise CallbackError(
            "the pattern repeats a group that itself repeats or alternates; "
            "such patterns can take exponential time"
        )
    if "#" in pattern:
        raise CallbackError("must not allow a fragment (RFC 6749 §3.1.2)")
    return compiled


def _has_nested_repeat(items: list[Any], *, inside_repeat: bool) -> bool:
    for op, value in items:
        name = str(op)
        if name in _REPEATS:
            if inside_repeat:
                return True
            if _has_nested_repeat(list(value[2]), inside_repeat=True):
                return True
        elif name == "SUBPATTERN":
            if _has_nested_repeat(list(value[-1]), inside_repeat=inside_repeat):
                return True
        elif name == "BRANCH":
            if inside_repeat and len(value[1]) > 1:
                return True
            for branch in value[1]:
                if _has_nested_repeat(list(branch), inside_repeat=inside_repeat):
                    return True
        elif name in {"GROUPREF", "GROUPREF_EXISTS"}:
            return True  # backreferences are not needed for URLs
    return False


def check_callback_urls(urls: list[str]) -> list[str]:
    """Validate registered callback URLs (one `regexp=` entry, or plain URLs)."""
    for url in urls:
        if url.startswith(REGEXP_PREFIX):
            if len(urls) > 1:
                raise CallbackError("a regexp= entry must be the only callback URL")
            check_pattern(url[len(REGEXP_PREFIX) :])
        else:
            check_url(url)
    return urls


@lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    return check_pattern(pattern)


def redirect_uri_allowed(registered: list[str], redirect_uri: str) -> bool:
    """RFC 6749 §3.1.2.3: exact match, or a fullmatch of the registered `regexp=`."""
    if len(redirect_uri) > MAX_URL_LENGTH:
        return False
    for entry in registered:
        if entry.startswith(REGEXP_PREFIX):
            try:
                pattern = _compiled(entry[len(REGEXP_PREFIX) :])
            except CallbackError:
                return False
            if pattern.fullmatch(redirect_uri):
                return True
        elif entry == redirect_uri:
            return True
    return False


def check_origin(origin: str) -> str:
    """An allowed CORS origin: scheme://host[:port], nothing more."""
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CallbackError("must be an http(s) origin such as https://app.example.com")
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        raise CallbackError("must be an origin only (scheme, host and port)")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK_HOSTS:
        raise CallbackError("http origins are allowed only for loopback hosts")
    return origin.rstrip("/")
