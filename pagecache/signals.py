"""What makes cached pages out of date. This is the one place to list it.

A page's own changes count when it is published, unpublished, moved or deleted. Anything a
page shows from outside itself counts when it is saved or deleted: add its model to
SHOWN_ON_PAGES when a page starts showing it (a new snippet, a new setting).

Each change moves the content version on (every kept page is then out of date, pagecache/
models.py) and notes what a CDN in front of the site must purge (pagecache/frontend.py)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from .frontend import (
    frontend_cache_configured,
    label_of,
    pages_showing,
    parent_object,
    purge_later,
)
from .models import new_content_version

SHOWN_ON_PAGES = [
    # Snippets that procedure pages choose.
    "procedures.Reference",
    "locations.ClinicLocation",
    "procedures.BodyArea",
    # A clinic location's weekly opening times and its holidays or special hours.
    "locations.OpeningTime",
    "locations.OpeningHoursException",
    # Site-wide details in every page's header and footer; the home page's featured list.
    "base.ClinicSettings",
    "home.FeaturedTreatment",
    # Wagtail's own: images and documents pages link to, sites (host names in links),
    # privacy settings of pages.
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
]


# Shown on every page (the header and footer, the addresses in links): a change purges every
# live page from the CDN.
SHOWN_EVERYWHERE = {"base.ClinicSettings", "wagtailcore.Site"}
# What links to a page show of it.
LINK_FIELDS = ("title", "slug", "live")


def content_changed(**kwargs):
    new_content_version()


def object_changed(instance, **kwargs):
    """A snippet, image, document, setting, site or privacy setting saved (or one of its parts:
    a clinic location's opening time)."""
    new_content_version()
    label = label_of(instance)
    if label in SHOWN_EVERYWHERE:
        purge_later(everything=True)
    elif isinstance(instance, PageViewRestriction):
        purge_later(subtrees=[instance.page_id])
    else:
        purge_later(objects=[(label, instance.pk)])


def object_about_to_be_deleted(instance, **kwargs):
    """What showed it is read now: once it is gone, Wagtail forgets who referred to it."""
    if not frontend_cache_configured():
        return
    parent = parent_object(instance)
    if label_of(instance) in SHOWN_EVERYWHERE:
        purge_later(everything=True)
    elif isinstance(instance, PageViewRestriction):
        purge_later(subtrees=[instance.page_id])
    elif parent is not instance:
        purge_later(objects=[(label_of(parent), parent.pk)])
    else:
        purge_later(showing=sorted(pages_showing(instance)))


def page_about_to_be_saved(instance, update_fields=None, raw=False, **kwargs):
    """Note whether links to this page will show something else (its title, its address, or
    whether it is live at all): the pages that link to it are then purged with it."""
    if raw or instance.pk is None or not frontend_cache_configured():
        return
    if update_fields is not None and not set(LINK_FIELDS) & set(update_fields):
        return
    before = Page.objects.filter(pk=instance.pk).values_list(*LINK_FIELDS).first()
    instance.pagecache_links_change = before != tuple(getattr(instance, f) for f in LINK_FIELDS)


def page_changed(instance):
    links_change = getattr(instance, "pagecache_links_change", False)
    purge_later(pages=[instance.pk], linked=[instance.pk] if links_change else [])


def page_saved(instance, update_fields=None, **kwargs):
    """A live page saved whole (a publish, or code that sets its fields and saves it). Saving a
    draft revision saves only a few bookkeeping fields and changes nothing public."""
    if update_fields is None and instance.live:
        new_content_version()
        page_changed(instance)


def published(instance, **kwargs):
    new_content_version()
    page_changed(instance)


def unpublished(instance, **kwargs):
    new_content_version()
    purge_later(pages=[instance.pk], linked=[instance.pk])


def page_about_to_move(instance, parent_page_before, **kwargs):
    """The page's old address, and the list it leaves."""
    if not frontend_cache_configured():
        return
    url = instance.get_full_url()
    purge_later(urls=[url] if url else [], pages=[parent_page_before.pk], linked=[instance.pk])


def page_moved(instance, **kwargs):
    new_content_version()
    purge_later(pages=[instance.pk])


def page_about_to_be_deleted(instance, **kwargs):
    """Its address, the page above it and the pages that link to it, read while it exists."""
    if not frontend_cache_configured():
        return
    url = instance.get_full_url()
    parent = instance.get_parent()
    showing = pages_showing(instance) | ({parent.pk} if parent is not None else set())
    purge_later(urls=[url] if url else [], showing=sorted(showing))


def connect():
    page_published.connect(published, dispatch_uid="pagecache-published")
    page_unpublished.connect(unpublished, dispatch_uid="pagecache-unpublished")
    pre_page_move.connect(page_about_to_move, dispatch_uid="pagecache-moving")
    post_page_move.connect(page_moved, dispatch_uid="pagecache-moved")
    # Per model: a receiver for every model would stop Django deleting rows of any model
    # without reading them first.
    for model in apps.get_models():
        if issubclass(model, Page):
            uid = f"pagecache-{model._meta.label}"
            pre_save.connect(page_about_to_be_saved, sender=model, dispatch_uid=f"{uid}-pre")
            post_save.connect(page_saved, sender=model, dispatch_uid=f"{uid}-save")
            pre_delete.connect(page_about_to_be_deleted, sender=model, dispatch_uid=f"{uid}-del")
            post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-deleted")
    for label in SHOWN_ON_PAGES:
        model = apps.get_model(label)
        uid = f"pagecache-{label}"
        post_save.connect(object_changed, sender=model, dispatch_uid=f"{uid}-save")
        pre_delete.connect(object_about_to_be_deleted, sender=model, dispatch_uid=f"{uid}-del")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-deleted")
