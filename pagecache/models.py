"""The content version: one number in the database that grows whenever anything a public page
shows changes (pagecache/signals.py says what). Every cached copy of a page is filed under it,
so a change reaches every app process on every host at once: none of them trusts a copy made
under an older number, whatever cache it keeps its copies in.

Where the cache is shared by every process (Redis: PAGE_CACHE_VERSION_IN_CACHE), the number is
also kept there for PAGE_CACHE_VERSION_SECONDS, so that a page-cache hit asks the database
nothing; a change deletes the kept number, before and again after its transaction commits."""

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F

VERSION_KEY = "page-cache:content-version"

# Within one request the number is read once (PageCacheMiddleware opens the scope).
_request = Local()
_NO_SCOPE = object()


class ContentVersion(models.Model):
    """A single row (its pk is ROW), created by the first change."""

    ROW = 1

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "content version"

    def __str__(self):
        return str(self.number)


def _the_row():
    return ContentVersion.objects.filter(pk=ContentVersion.ROW)


# Built once; each read runs a copy of it (a page-cache hit reads it on SQLite).
_the_number = _the_row().values_list("number", flat=True)


def read_content_version():
    """The number as the database holds it: one small query."""
    numbers = list(_the_number.all()[:1])
    return numbers[0] if numbers else 0


def shared_version_key():
    """The cache key of the number, when the cache is shared by every process; else None."""
    return VERSION_KEY if settings.PAGE_CACHE_VERSION_IN_CACHE else None


def content_version(kept=None):
    """The current content version, read once per request: `kept` when the caller found it in
    the shared cache; else from the shared cache, if any, or the database (and then kept in
    the shared cache)."""
    in_scope = hasattr(_request, "version")
    if in_scope and _request.version is not None:
        return _request.version
    if kept is None and shared_version_key():
        kept = cache.get(VERSION_KEY)
        if kept is None:
            kept = read_content_version()
            cache.add(VERSION_KEY, kept, settings.PAGE_CACHE_VERSION_SECONDS)
    elif kept is None:
        kept = read_content_version()
    if in_scope:
        _request.version = kept
    return kept


def kept_for_this_version(name, compute):
    """`compute()`, kept in the cache under `name` until the content version moves on: for
    what a page shows that would otherwise cost a query growing with the site (how many
    treatments there are, the menu), worked out once after each change rather than on
    every page-cache miss."""
    key = f"page-cache:kept:{name}:{content_version()}"
    value = cache.get(key)  # (a cache that fails, or hangs, costs one call here, one below)
    if value is None:
        value = compute()
        cache.set(key, value, settings.PAGE_CACHE_SECONDS)
    return value


def version_read_in_request():
    """The content version as read so far in this request, or None if it has not been."""
    return getattr(_request, "version", None)


class one_version_per_request:
    """Read the content version at most once inside this block (a request). Blocks may nest:
    Wagtail's previews render the page through the middleware again."""

    def __enter__(self):
        self.outer = getattr(_request, "version", _NO_SCOPE)
        _request.version = None

    def __exit__(self, *exc):
        if self.outer is _NO_SCOPE:
            del _request.version
        else:
            _request.version = self.outer


def forget_shared_version():
    if shared_version_key():
        cache.delete(VERSION_KEY)


def new_content_version(**kwargs):
    """Count a change: every page cached before it is rebuilt on its next visit. Takes any
    signal's arguments. Inside a transaction the new number shows with the change it counts."""
    with transaction.atomic():
        if not _the_row().update(number=F("number") + 1):
            _, created = ContentVersion.objects.get_or_create(
                pk=ContentVersion.ROW, defaults={"number": 1}
            )
            if not created:  # another process created it meanwhile
                _the_row().update(number=F("number") + 1)
    # Forgotten now (this process, and a test's transaction, see the new number at once) and
    # after the commit (another process may have kept the old number meanwhile).
    forget_shared_version()
    transaction.on_commit(forget_shared_version)
    if hasattr(_request, "version"):
        _request.version = None
