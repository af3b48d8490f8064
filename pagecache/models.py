"""The content version: one number in the database that grows whenever anything a public page
shows changes (pagecache/signals.py says what). Every cached copy of a page is filed under it,
so a change reaches every app process on every host at once: none of them trusts a copy made
under an older number, whatever cache it keeps its copies in."""

from asgiref.local import Local
from django.db import models, transaction
from django.db.models import F

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


def read_content_version():
    return _the_row().values_list("number", flat=True).first() or 0


def content_version():
    """The current content version: one small query, once per request."""
    if not hasattr(_request, "version"):
        return read_content_version()
    if _request.version is None:
        _request.version = read_content_version()
    return _request.version


def version_read_in_request():
    """The content version as read so far in this request, or None if it has not been."""
    return getattr(_request, "version", None)


def remember_content_version(number):
    """Record the content version read by another query of this request (the Site lookup
    reads it with the site), so that it is not read again."""
    if hasattr(_request, "version") and _request.version is None:
        _request.version = number or 0


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
    if hasattr(_request, "version"):
        _request.version = None
