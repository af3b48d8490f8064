"""Whole public pages answered from the cache, for visitors who are not logged in.

A GET (or HEAD) from a visitor without a session is looked up in the default cache (Redis in
production; local memory otherwise) under its full address. Each kept copy carries the content
version it was made under (pagecache/models.py) and is served only while that is still the
current version: a hit costs no rendering and one small query, or none where the version is
kept in the shared cache (Redis), read with the page in one round trip. A page not in the
cache is kept under the version read before it was rendered. A response is kept only
when it is the same for every such visitor: status 200, no cookie set, no CSRF token (so no
form: the contact page is never kept), nothing marked private, and no query string except the
list pages' own `?page=` and `?area=` when they name a real page of a real list. A cache that
fails (Redis down) only makes pages slower: a miss, and the page is rendered.

Kept pages are sent with `Cache-Control: public, max-age=…, s-maxage=…` for browsers and a CDN,
and gzipped (they hold no secret, so compressing them leaks nothing). Every other response
without its own Cache-Control is sent `private, no-store`."""

import gzip
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers
from django.utils.text import compress_string

from .models import (
    content_version,
    one_version_per_request,
    shared_version_key,
    version_read_in_request,
)

ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Headers that describe one transfer of the body, not the page.
TRANSFER_HEADERS = {"content-length", "content-encoding", "x-page-cache"}
# A response may vary on these and still be kept (the key and the gzip choice cover them).
KEPT_VARY = {"cookie", "accept-encoding"}
COMPRESS_AT_LEAST = 200  # bytes, as Django's GZipMiddleware


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.excluded_paths = tuple(settings.PAGE_CACHE_EXCLUDED_PATHS)

    def __call__(self, request):
        with one_version_per_request():
            key = self.cache_key(request)
            if key is not None:
                kept, version = self.lookup(key)
                if kept is not None and kept[0] == version:
                    return self.answer(request, kept[1], "hit")
            response = self.get_response(request)
            # Kept under the version read before the page was rendered, never one read after
            # (a change made while it rendered would then go unseen).
            version = version_read_in_request()
            if key is not None and version is not None and self.may_keep(request, response):
                entry = self.entry(response)
                cache.set(key, (version, entry), settings.PAGE_CACHE_SECONDS)
                return self.answer(request, entry, "miss")
            if not response.has_header("Cache-Control"):
                patch_cache_control(response, private=True, no_store=True)
            return response

    @staticmethod
    def lookup(key):
        """The kept copy under `key` (or None) and the current content version, read before
        the page is rendered: from the shared cache in the same round trip, else the
        database."""
        version_key = shared_version_key()
        if version_key is None:
            return cache.get(key), content_version()
        found = cache.get_many([key, version_key])
        return found.get(key), content_version(kept=found.get(version_key))

    def cache_key(self, request):
        """The key of this request's page, or None when it must be answered afresh."""
        if request.method not in ("GET", "HEAD") or getattr(request, "is_dummy", False):
            return None  # a form sent, or Wagtail's preview of a draft
        if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
            return None  # staff, or a visitor the site keeps something for
        if "HTTP_AUTHORIZATION" in request.META:
            return None
        if request.path_info.startswith(self.excluded_paths):
            return None
        allowed = settings.PAGE_CACHE_QUERY_PARAMETERS
        if any(name not in allowed or len(values) > 1 for name, values in request.GET.lists()):
            return None
        address = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
        return f"page-cache:{address}"

    def may_keep(self, request, response):
        """True when `response` is the same for every visitor without a session."""
        if request.method != "GET" or response.status_code != 200 or response.streaming:
            return False
        if response.cookies or "CSRF_COOKIE_NEEDS_UPDATE" in request.META:
            return False  # a cookie set, or a CSRF token in the page (a form)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        cache_control = {
            directive.split("=")[0].strip().lower()
            for directive in cc_delim_re.split(response.get("Cache-Control", ""))
        }
        if cache_control & {"private", "no-store", "no-cache"}:
            return False
        vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v}
        if vary - KEPT_VARY:
            return False
        return self.is_canonical_query(request, response)

    @staticmethod
    def is_canonical_query(request, response):
        """Without a query string, yes. With one, only when the page says (in its
        `canonical_params`, as for its <link rel="canonical">) that this is its own address:
        `?page=999` or `?area=nothing` would otherwise make a new key each, without end."""
        if not request.GET:
            return True
        context = getattr(response, "context_data", None) or {}
        canonical = {
            name: str(value) for name, value in context.get("canonical_params", {}).items() if value
        }
        return request.GET.dict() == canonical

    @staticmethod
    def entry(response):
        """What the cache keeps of a response: its headers and its body, gzipped if long."""
        patch_cache_control(
            response,
            public=True,
            max_age=settings.BROWSER_CACHE_SECONDS,
            s_maxage=settings.CDN_CACHE_SECONDS,
        )
        body = response.content
        gzipped = len(body) >= COMPRESS_AT_LEAST and not response.has_header("Content-Encoding")
        if gzipped:
            patch_vary_headers(response, ["Accept-Encoding"])
            body = compress_string(body)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in TRANSFER_HEADERS
        ]
        return headers, body, gzipped

    @staticmethod
    def answer(request, entry, state):
        headers, body, gzipped = entry
        if gzipped and not ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            body, gzipped = gzip.decompress(body), False
        response = HttpResponse(b"" if request.method == "HEAD" else body)
        for name, value in headers:
            response.headers[name] = value
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(body))
        response.headers["X-Page-Cache"] = state
        return response
