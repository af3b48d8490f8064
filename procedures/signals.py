from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from practitioners.models import PractitionerPage

from .models import (
    BodyArea,
    ClinicLocation,
    OpeningHoursException,
    OpeningTime,
    ProcedurePage,
    Reference,
    new_content_version,
)


def connect():
    """A change to what procedure pages show from outside themselves shows at once on every
    procedure page: a reference, location (its opening hours too) or body area; the clinic
    settings (the phone and emergency numbers of "When to get help"); another treatment's page
    that an "Alternatives" section links to, or a practitioner profile the pages name and link
    (published, unpublished, moved or deleted)."""
    clinic_settings = apps.get_model("home", "ClinicSettings")
    for model in (
        Reference,
        ClinicLocation,
        OpeningTime,
        OpeningHoursException,
        BodyArea,
        clinic_settings,
    ):
        post_save.connect(new_content_version, sender=model, dispatch_uid=f"{model.__name__}-save")
        post_delete.connect(
            new_content_version, sender=model, dispatch_uid=f"{model.__name__}-delete"
        )
    page_signals = {
        "published": page_published,
        "unpublished": page_unpublished,
        "moved": post_page_move,
        "deleted": post_delete,
    }
    for page_model in (ProcedurePage, PractitionerPage):
        for name, signal in page_signals.items():
            signal.connect(
                new_content_version,
                sender=page_model,
                dispatch_uid=f"{page_model.__name__}-{name}",
            )
