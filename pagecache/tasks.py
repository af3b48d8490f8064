"""The CDN purge of one change, run by the task worker: the addresses that show the change,
worked out from what the editor's request noted (pagecache/frontend.py), sent with Wagtail's
PurgeBatch (whose own task, in the worker too, sends the PURGE requests)."""

from django.apps import apps
from django_tasks import task
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, PageViewRestriction, Site

from base.sitemaps import sitemap_urls

from .frontend import pages_showing, parent_object

SEARCH_PATH = "/search/"  # not a page: it shows the header and footer, and links to the list
CHUNK = 2000  # pages read at once


@task()
def purge_changes(
    pages=(), linked=(), showing=(), objects=(), subtrees=(), urls=(), everything=False
):
    """Purge what one change made out of date (see frontend.Purge for the arguments)."""
    batch = PurgeBatch(urls)
    changed = set(pages) | set(showing)
    for page in Page.objects.filter(pk__in=linked).specific():
        changed |= pages_showing(page)
    for label, pk in objects:
        instance = apps.get_model(label).objects.filter(pk=pk).first()
        if instance is None:
            continue  # deleted since: the request read what showed it
        instance = parent_object(instance)
        if isinstance(instance, PageViewRestriction):
            subtrees = [*subtrees, instance.page_id]
        elif isinstance(instance, Page):
            changed.add(instance.pk)
        else:
            changed |= pages_showing(instance)
    add_pages(batch, Page.objects.filter(pk__in=changed), with_ancestors=True)
    for page in Page.objects.filter(pk__in=subtrees):
        add_pages(batch, Page.objects.descendant_of(page, inclusive=True).live())
    if everything:
        add_pages(batch, Page.objects.live().exclude(depth=1))
    pages_changed = bool(pages or urls or subtrees or everything)
    for site in Site.objects.select_related("root_page"):
        batch.add_page(site.root_page)
        batch.add_url(site.root_url + SEARCH_PATH)
        if pages_changed:
            batch.add_urls(sitemap_urls(site))
    batch.purge()


def add_pages(batch, pages, with_ancestors=False):
    """Every page of `pages` (a queryset, read in chunks), and, if asked, the pages above each
    (read by their tree paths in one query per chunk, the tree's root left out)."""
    for chunk in chunked(pages.order_by("pk")):
        batch.add_pages(chunk)
        if with_ancestors:
            paths = {
                page.path[:length]
                for page in chunk
                for length in range(2 * Page.steplen, len(page.path), Page.steplen)
            } - {page.path for page in chunk}
            if paths:
                batch.add_pages(Page.objects.filter(path__in=paths))


def chunked(pages):
    last = 0
    while True:
        chunk = list(pages.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk
