from django.db.models.signals import post_delete, post_save

from .models import (
    BodyArea,
    ClinicLocation,
    OpeningHoursException,
    OpeningTime,
    Reference,
    new_content_version,
)


def connect():
    """A changed reference, location (its opening hours too) or body area shows at once on
    every procedure page."""
    for model in (Reference, ClinicLocation, OpeningTime, OpeningHoursException, BodyArea):
        post_save.connect(new_content_version, sender=model, dispatch_uid=f"{model.__name__}-save")
        post_delete.connect(
            new_content_version, sender=model, dispatch_uid=f"{model.__name__}-delete"
        )
