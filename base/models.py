"""Clinic-wide details that every page shows (wagtail.contrib.settings)."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .errors import remember_clinic_contact
from .text import tel_href

# Plain-language guidance aims at a SMOG grade of 9 to 12; the clinic's default is 10 or below.
DEFAULT_SMOG_TARGET = 10


@register_setting(icon="site")
class ClinicSettings(BaseSiteSetting):
    """Clinic-wide details shown in every page's header and footer."""

    clinic_name = models.CharField(max_length=120, default="Example Clinic")
    phone = models.CharField(
        max_length=40, blank=True, help_text="The main phone number, as patients should dial it."
    )
    email = models.EmailField(blank=True, help_text="The public address for general enquiries.")
    address = models.TextField(blank=True, help_text="Postal address, one line per line.")
    emergency_number = models.CharField(
        max_length=20,
        default="999",
        help_text="The emergency number patients should call, shown in the home page's \"If you "
        'need urgent help" notice.',
    )
    medical_disclaimer = models.TextField(
        default=(
            "The information on this website is general and does not replace advice from a "
            "doctor who knows your medical history. In an emergency, call your local "
            "emergency number."
        ),
        help_text="Shown at the foot of every page.",
    )
    smog_target = models.PositiveSmallIntegerField(
        "readability target (SMOG grade)",
        default=DEFAULT_SMOG_TARGET,
        validators=[MinValueValidator(4), MaxValueValidator(20)],
        help_text="The highest SMOG grade a treatment page should read at. The editor warns "
        "above it (it does not stop publishing). Plain-language guidance aims at 9 to 12.",
    )

    panels = [
        FieldPanel("clinic_name"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("address")],
            heading="Contact details",
        ),
        FieldPanel("emergency_number"),
        FieldPanel("medical_disclaimer"),
        FieldPanel("smog_target"),
    ]

    class Meta:
        verbose_name = "clinic settings"

    def __str__(self):
        return self.clinic_name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The error pages show the phone number without asking the database.
        remember_clinic_contact(self.clinic_name, self.phone, self.phone_href)

    @property
    def phone_href(self):
        return tel_href(self.phone)

    @property
    def emergency_href(self):
        return tel_href(self.emergency_number)
