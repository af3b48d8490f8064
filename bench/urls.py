"""The site's URLs with the benchmark's minimal view in front: a Django view that returns a
fixed page of about 19 KB (the size of a treatment page) through the same middleware, so that
its requests per second are the ceiling the site's pages are compared with."""

from django.http import HttpResponse
from django.urls import path

from bench.pages import MINIMAL_PATH
from clinic_site.urls import handler400, handler500
from clinic_site.urls import urlpatterns as site_urlpatterns

MINIMAL_BYTES = 19_000


def minimal_html(size=MINIMAL_BYTES):
    """A valid HTML page of `size` bytes (give or take a paragraph), with no database and
    no template behind it."""
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Minimal page (benchmark)</title>\n</head>\n<body>\n<main>\n"
        "<h1>Minimal page</h1>\n"
    )
    tail = "</main>\n</body>\n</html>\n"
    paragraph = (
        "<p>This page is the benchmark's ceiling: a fixed text served by a view that asks "
        "nothing of the database or the templates.</p>\n"
    )
    count = max(0, (size - len(head) - len(tail)) // len(paragraph))
    return head + paragraph * count + tail


PAGE = minimal_html().encode()


def minimal(request):
    return HttpResponse(PAGE)


urlpatterns = [path(MINIMAL_PATH.strip("/") + "/", minimal), *site_urlpatterns]

__all__ = ["handler400", "handler500", "urlpatterns"]
