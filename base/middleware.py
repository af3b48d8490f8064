"""Middleware of the whole site."""

import functools

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.exceptions import BadRequest

FORM_CONTENT_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


@functools.lru_cache(maxsize=64)
def can_decode_form_data(charset):
    """True when `charset` is a text encoding that decodes any bytes (bad ones replaced), as
    Django's form parsers need. Python also knows `bz2`, `base64` or `idna`, which are not
    text encodings or refuse to replace bad bytes: a body declared in them cannot be read."""
    try:
        "".encode(charset)
        bytes(range(256)).decode(charset, "replace")
    except (LookupError, UnicodeError):
        return False
    return True


class RefuseUnreadableFormDataMiddleware:
    """Answer 400 (the site's page) to a form post whose declared character set cannot be
    read, before anything (the CSRF check first) parses the body and fails on it.

    Django refuses a URL-encoded body declared in anything but UTF-8 itself; a multipart
    body is decoded in its declared character set, which may be no text encoding at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        charset = request.encoding
        if (
            charset
            and request.content_type in FORM_CONTENT_TYPES
            and not can_decode_form_data(charset)
        ):
            raise BadRequest(
                f"Form data declared in a character set that cannot be read: {charset}"
            )
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY) on every response, with
    settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE added on the admin's pages only."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(f"/{settings.ADMIN_PATH}"):
            parts.update = {
                **settings.ADMIN_CONTENT_SECURITY_POLICY_UPDATE,
                **(parts.update or {}),
            }
        return parts


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header (settings.PERMISSIONS_POLICY): browser features the site
    never uses stay off, even for a script that got in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
