"""Purging a CDN or caching proxy in front of the site with Wagtail's frontend cache tools
(wagtail.contrib.frontend_cache, set up from the environment in the production settings).

A change purges the addresses that show it, not the whole site: a page published, unpublished,
moved or deleted purges that page (at its old address too), the pages above it (the lists it
is on, the home page), the sitemap and the search page, and, when its title, address or being
live changed, the pages that link to it; a snippet, an image or a document purges the pages
that use it (Wagtail's ReferenceIndex, and many-to-many fields such as a treatment's body
areas); the clinic settings and the sites, which every page shows, purge every live page.
Wagtail's own app, which purges only the page published, is not installed: this covers it.

Nothing of this is worked out in the editor's request. The request notes what changed (a few
ids), and once it has ended, or once its transaction is committed outside a request, one task
is queued with all of it: the task worker works out the addresses (pagecache/tasks.py) and
sends them with Wagtail's PurgeBatch. What a deletion removes (the page's address, the pages
that used the object) is read before it goes, as the worker could not read it afterwards."""

import contextlib
import logging

from asgiref.local import Local
from django.apps import apps
from django.conf import settings
from django.db import transaction
from modelcluster.fields import ParentalKey
from wagtail.models import Page, ReferenceIndex

logger = logging.getLogger(__name__)
_scope = Local()

# What a purge may name; each a list of JSON values, as the task receives them.
PARTS = ("pages", "linked", "showing", "objects", "subtrees", "urls")


def frontend_cache_configured():
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


class Purge:
    """What one change makes out of date on the CDN, sent as one task:

    - pages: ids of pages changed (each purged with the pages above it, and the sitemap)
    - linked: ids of pages whose title, address or liveness changed (the pages that link to
      them are purged too)
    - showing: ids of pages that showed something now deleted (purged with the pages above)
    - objects: (model label, pk) of snippets, images, documents changed
    - subtrees: ids of pages whose privacy changed (purged with every page below them)
    - urls: addresses to purge as they are (a deleted or moved page's old address)
    - everything: every live page of every site"""

    def __init__(self):
        self.parts = {name: set() for name in PARTS}
        self.everything = False

    def add(self, everything=False, **parts):
        self.everything = self.everything or everything
        for name, values in parts.items():
            self.parts[name].update(values)

    def payload(self):
        found = {
            name: sorted(list(v) if isinstance(v, tuple) else v for v in values)
            for name, values in self.parts.items()
            if values
        }
        return {**found, "everything": True} if self.everything else found

    def send(self):
        """Queue the task, if anything changed. A failure is logged: the change itself is
        done, and the CDN shows it after CDN_CACHE_SECONDS at most."""
        from .tasks import purge_changes

        payload = self.payload()
        if not payload:
            return
        try:
            purge_changes.enqueue(**payload)
        except Exception:
            logger.exception("Could not queue the CDN purge of %s", payload)


def purge_later(everything=False, **parts):
    """Note what a change makes out of date on the CDN (see Purge for the parts). It counts
    once committed: inside a request, it is sent when the request ends; outside one, when
    the transaction commits (at once outside a transaction). One task however many signals
    one change sends."""
    if not frontend_cache_configured():
        return
    batch = getattr(_scope, "batch", None)
    if batch is not None:
        transaction.on_commit(lambda: batch.add(everything, **parts))
        return
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        pending = (getattr(c, "__self__", None) for _, c, _ in connection.run_on_commit)
        batch = next((b for b in pending if isinstance(b, Purge)), None)
        if batch is None:
            batch = Purge()
            transaction.on_commit(batch.send)
        batch.add(everything, **parts)
        return
    batch = Purge()
    batch.add(everything, **parts)
    batch.send()


@contextlib.contextmanager
def purges_after_request():
    """Inside: what changes is purged as one task when the block ends (a request: pagecache's
    middleware opens it), or, if a transaction is still open then, when it commits. Blocks
    may nest: the outermost sends."""
    if getattr(_scope, "batch", None) is not None:
        yield
        return
    _scope.batch = batch = Purge()
    try:
        yield
    finally:
        del _scope.batch
        if frontend_cache_configured():
            if transaction.get_connection().in_atomic_block:
                transaction.on_commit(batch.send)
            else:
                batch.send()


# What shows what


def parent_object(instance):
    """The object `instance` is part of (an opening time's clinic location, a featured
    treatment's home page), through its ParentalKey; else `instance` itself."""
    for field in instance._meta.get_fields():
        if isinstance(field, ParentalKey):
            parent = getattr(instance, field.name, None)
            if parent is not None:
                return parent_object(parent)
    return instance


def label_of(instance):
    return instance._meta.label


def pages_showing(instance, depth=2):
    """Ids of the pages that show `instance`: those that refer to it (Wagtail's ReferenceIndex:
    foreign keys, chooser blocks, rich text; through a snippet that refers to it, one step
    further) and those that choose it in a many-to-many field (a treatment's body areas, a
    clinician's treatments)."""
    found = set()
    sources = ReferenceIndex.get_references_to(instance).values_list(
        "base_content_type__app_label", "base_content_type__model", "object_id"
    )
    for app_label, model_name, object_id in sources.distinct():
        model = apps.get_model(app_label, model_name)
        if issubclass(model, Page):
            found.add(int(object_id))
        elif depth > 1:
            source = model.objects.filter(pk=object_id).first()
            if source is not None:
                found |= pages_showing(source, depth - 1)
    for model in apps.get_models():
        if not issubclass(model, Page):
            continue
        for field in model._meta.get_fields():
            if (
                field.many_to_many
                and not field.auto_created
                and isinstance(instance, field.related_model)
            ):
                found.update(
                    model.objects.filter(**{field.name: instance.pk}).values_list("pk", flat=True)
                )
    return found
