"""Views of the whole site that are no Wagtail page."""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone


def bad_request(request, exception=None):
    """The site's 400 page. Django's own view asks for a CSRF token, which reads the request's
    body again: for a body that could not be read it would fail a second time (a 500)."""
    return render(request, "400.html", status=400)


def security_txt(request):
    """/.well-known/security.txt (RFC 9116): whom to tell about a vulnerability. Its expiry
    date moves with each request, so the file never goes stale."""
    expires = timezone.now() + datetime.timedelta(days=settings.SECURITY_TXT_EXPIRES_DAYS)
    contacts = [c.strip() for c in settings.SECURITY_CONTACT.split(",") if c.strip()]
    lines = [
        *(f"Contact: {c if ':' in c else 'mailto:' + c}" for c in contacts),
        f"Expires: {expires.astimezone(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}",
        "Preferred-Languages: en",
        f"Canonical: {request.build_absolute_uri()}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
