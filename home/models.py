from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page

from clinic_site.errors import remember_clinic_contact
from clinic_site.text import tel_href


@register_setting(icon="site")
class ClinicSettings(BaseSiteSetting):
    """Clinic-wide details shown in every page's header and footer."""

    clinic_name = models.CharField(max_length=120, default="Example Clinic")
    phone = models.CharField(
        max_length=40, blank=True, help_text="The main phone number, as patients should dial it."
    )
    email = models.EmailField(blank=True, help_text="The public address for general enquiries.")
    address = models.TextField(blank=True, help_text="Postal address, one line per line.")
    medical_disclaimer = models.TextField(
        default=(
            "The information on this website is general and does not replace advice from a "
            "doctor who knows your medical history. In an emergency, call your local "
            "emergency number."
        ),
        help_text="Shown at the foot of every page.",
    )

    panels = [
        FieldPanel("clinic_name"),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("address")],
            heading="Contact details",
        ),
        FieldPanel("medical_disclaimer"),
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


class HomePage(Page):
    """The site's root page: one per site, directly under Wagtail's root."""

    introduction = models.TextField(
        blank=True, help_text="One or two sentences under the clinic's name on the home page."
    )
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        from procedures.models import ProcedurePage

        context = super().get_context(request, *args, **kwargs)
        context["procedures"] = (
            ProcedurePage.objects.live()
            .descendant_of(self)
            .order_by("title")
            .only("title", "summary", "url_path", "path", "depth")
        )
        return context
