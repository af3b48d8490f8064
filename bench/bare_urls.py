"""The bench's bare view (bench/bare_settings.py): a fixed page of about 19 KB, the size of a
treatment page, built once when the module is imported. No template, no database, nothing
read from the request."""

from django.http import HttpResponse
from django.urls import path

BARE_PATH = "/bare/"
BARE_BYTES = 19_000


def bare_html(size=BARE_BYTES):
    """A valid HTML page of `size` bytes (give or take a paragraph)."""
    head = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>Bare page (benchmark)</title>\n</head>\n<body>\n<main>\n"
        "<h1>Bare page</h1>\n"
    )
    tail = "</main>\n</body>\n</html>\n"
    paragraph = (
        "<p>This page is the benchmark's ceiling: a fixed text served by a view that asks "
        "nothing of the database, the cache or the templates.</p>\n"
    )
    count = max(0, (size - len(head) - len(tail)) // len(paragraph))
    return head + paragraph * count + tail


PAGE = bare_html().encode()


def bare(request):
    return HttpResponse(PAGE)


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare)]
