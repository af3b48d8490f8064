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

When a kept page is out of date (a change moved the content version on), the first request
for it renders it again, holding a short lock in the cache (`cache.add`) for at most
PAGE_CACHE_RENDER_SECONDS; requests for the same address meanwhile are not rendered as well:
they get the previous copy (stale-while-revalidate: `X-Page-Cache: stale`, sent `no-store` so
that no browser or CDN keeps it). Many visitors arriving together after a publish cost one
render. A render that cannot be kept (the page was unpublished, made private) deletes the
previous copy, so that nobody gets it again.

Kept pages are sent with `Cache-Control: public, max-age=…, s-maxage=…` for browsers and a CDN,
and gzipped to clients that accept gzip (they hold no secret, so compressing them leaks
nothing). Every other response without its own Cache-Control is sent `private, no-store`."""

import functools
import gzip
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers
from django.utils.text import compress_string

from .frontend import purges_after_request
from .models import (
    content_version,
    one_version_per_request,
    shared_version_key,
    version_read_in_request,
)

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
            kept = version = None
            if key is not None:
                kept, version = self.lookup(key)
                if kept is not None and kept[0] == version:
                    return self.answer(request, kept[1], "hit")
                if kept is not None and not self.start_rendering(key, version):
                    return self.answer(request, kept[1], "stale")  # another request renders it
            with purges_after_request():
                response = self.get_response(request)
            if key is None:
                return self.private(response)
            # Kept under the version read before the page was rendered, never one read after
            # (a change made while it rendered would then go unseen).
            if version_read_in_request() == version and self.may_keep(request, response):
                entry = self.entry(response)
                cache.set(key, (version, entry), settings.PAGE_CACHE_SECONDS)
                # The lock stays until it expires: a request that read the previous copy just
                # before this one was kept gets that copy, rather than rendering it again.
                return self.answer(request, entry, "miss")
            if kept is not None and request.method == "GET":
                cache.delete(key)  # out of date, and not to be served while others render
            if kept is not None:
                cache.delete(self.rendering_key(key, version))  # the next request may render
            return self.private(response)

    @staticmethod
    def private(response):
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def rendering_key(key, version):
        return f"{key}:rendering:{version}"

    def start_rendering(self, key, version):
        """Take the lock on rendering this page under this version: False when another
        request holds it (a cache that fails answers None: render)."""
        taken = cache.add(
            self.rendering_key(key, version), True, settings.PAGE_CACHE_RENDER_SECONDS
        )
        return taken is not False

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
        if gzipped and not accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            body, gzipped = gzip.decompress(body), False
        response = HttpResponse(b"" if request.method == "HEAD" else body)
        for name, value in headers:
            response.headers[name] = value
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        if state == "stale":  # no browser or CDN may keep an out-of-date copy
            response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Length"] = str(len(body))
        response.headers["X-Page-Cache"] = state
        return response


@functools.lru_cache(maxsize=256)
def accepts_gzip(accept_encoding):
    """Whether a client that sent this Accept-Encoding takes gzip (RFC 9110, section 12.5.3):
    gzip (or x-gzip) with a weight above 0; when neither is named, `*` with a weight above 0.
    An empty or missing header asks for the page as it is. (Headers repeat: each is read once.)"""
    named = star = None
    for element in accept_encoding.split(","):
        coding, *parameters = element.split(";")
        coding = coding.strip().lower()
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value.strip())
                except ValueError:
                    weight = 0.0  # not a weight: taken as "not acceptable"
        if coding in ("gzip", "x-gzip"):
            named = max(named or 0.0, weight)
        elif coding == "*":
            star = weight
    if named is not None:
        return named > 0
    return star is not None and star > 0
