"""What makes cached pages out of date. This is the one place to list it.

A page's own changes count when it is published, unpublished, moved or deleted. Anything a
page shows from outside itself counts when it is saved or deleted: add its model to
SHOWN_ON_PAGES when a page starts showing it (a new snippet, a new setting)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from .frontend import purge_frontend_cache_after_commit, purge_page
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


def content_changed(**kwargs):
    new_content_version()
    purge_frontend_cache_after_commit()


def page_saved(instance, update_fields=None, **kwargs):
    """A live page saved whole (a publish, or code that sets its fields and saves it). Saving a
    draft revision saves only a few bookkeeping fields and changes nothing public."""
    if update_fields is None and instance.live:
        content_changed()


def connect():
    for signal in (page_published, page_unpublished, post_page_move):
        signal.connect(content_changed, dispatch_uid=f"pagecache-{id(signal)}")
    # Per page type: a receiver for every model would stop Django deleting rows of any model
    # without reading them first.
    for model in apps.get_models():
        if issubclass(model, Page):
            post_save.connect(page_saved, sender=model, dispatch_uid=f"pagecache-save-{model}")
            post_delete.connect(
                content_changed, sender=model, dispatch_uid=f"pagecache-delete-{model}"
            )
            pre_delete.connect(purge_page, sender=model, dispatch_uid=f"pagecache-purge-{model}")
    pre_page_move.connect(purge_page, dispatch_uid="pagecache-purge-moved")
    page_unpublished.connect(purge_page, dispatch_uid="pagecache-purge-unpublished")
    for label in SHOWN_ON_PAGES:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pagecache-delete-{label}")
