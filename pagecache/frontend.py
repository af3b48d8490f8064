"""Purging a CDN or caching proxy in front of the site with Wagtail's frontend cache tools
(wagtail.contrib.frontend_cache, set up from the environment in the production settings).

A change can show on many pages (the treatments list, the home page, every page's footer), so
after each change every live page is purged, with the sitemap and the search page; a page
unpublished, deleted or moved is purged at its old address too. Purges are sent after the
change is committed, as a background task (the task worker sends them). Wagtail's own app,
which purges only the page published, is not installed: this covers it."""

from django.conf import settings
from django.db import transaction
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site

# Paths that are not pages but show pages.
EXTRA_PATHS = ["sitemap.xml", "search/"]


def frontend_cache_configured():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def purge_frontend_cache_after_commit():
    """Purge every live page once the change is committed: once per transaction, however
    many signals one publish sends."""
    if not frontend_cache_configured():
        return
    pending = transaction.get_connection().run_on_commit
    if not any(callback is purge_frontend_cache for _, callback, _ in pending):
        transaction.on_commit(purge_frontend_cache)


def purge_frontend_cache():
    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().specific().exclude(depth=1))
    for site in Site.objects.all():
        batch.add_urls(f"{site.root_url}/{path}" for path in EXTRA_PATHS)
    batch.purge()


def purge_page(instance, **kwargs):
    """A page unpublished, deleted or moved: purge its address as it is now (before a move or
    a deletion), once the change is committed."""
    if frontend_cache_configured():
        batch = PurgeBatch()
        batch.add_page(instance)
        transaction.on_commit(batch.purge)
