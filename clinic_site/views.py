"""Views of the whole site that are no Wagtail page."""

from django.shortcuts import render


def bad_request(request, exception=None):
    """The site's 400 page. Django's own view asks for a CSRF token, which reads the request's
    body again: for a body that could not be read it would fail a second time (a 500)."""
    return render(request, "400.html", status=400)
