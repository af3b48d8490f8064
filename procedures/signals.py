from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from practitioners.models import PractitionerPage

from .models import BodyArea, ClinicLocation, Reference, new_content_version


def connect():
    """A changed reference, location or body area shows at once on every procedure page, and
    so does a practitioner profile that goes live, changes or goes (the pages name and link
    their reviewers and who gives each treatment)."""
    for model in (Reference, ClinicLocation, BodyArea):
        post_save.connect(new_content_version, sender=model, dispatch_uid=f"{model.__name__}-save")
        post_delete.connect(
            new_content_version, sender=model, dispatch_uid=f"{model.__name__}-delete"
        )
    page_published.connect(
        new_content_version, sender=PractitionerPage, dispatch_uid="practitioner-published"
    )
    page_unpublished.connect(
        new_content_version, sender=PractitionerPage, dispatch_uid="practitioner-unpublished"
    )
    post_delete.connect(
        new_content_version, sender=PractitionerPage, dispatch_uid="practitioner-delete"
    )
