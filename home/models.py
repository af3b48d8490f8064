from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from clinic_site.errors import remember_clinic_contact
from clinic_site.pages import ViewRestrictionsMixin, no_view_restrictions, route_in_one_query
from clinic_site.text import tel_href

FEATURED_TREATMENTS_MAX = 6
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


class HomePage(ViewRestrictionsMixin, Page):
    """The site's root page: one per site, directly under Wagtail's root."""

    introduction = models.TextField(
        blank=True, help_text="One or two sentences under the clinic's name on the home page."
    )
    body = RichTextField(blank=True, features=["h2", "h3", "bold", "italic", "link", "ol", "ul"])

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        InlinePanel(
            "featured_treatments",
            heading="Featured treatments",
            label="Treatment",
            help_text="Shown on the home page in this order; a link leads to all treatments.",
            max_num=FEATURED_TREATMENTS_MAX,
        ),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def route(self, request, path_components):
        """Wagtail's routing from the site's root, with the pages of the whole path read in
        one query (clinic_site.pages)."""
        if path_components:
            result = route_in_one_query(self, request, path_components)
        else:
            result = super().route(request, path_components)
        page = result[0]
        if no_view_restrictions(request) and isinstance(page, ViewRestrictionsMixin):
            page.mark_as_having_no_view_restrictions()
        return result

    def get_context(self, request, *args, **kwargs):
        from procedures.models import ClinicLocation, ProcedureIndexPage
        from procedures.structured_data import clinics_graph

        context = super().get_context(request, *args, **kwargs)
        context["featured"] = [
            item.procedure
            for item in self.featured_treatments.select_related("procedure")
            if item.procedure.live
        ]
        context["treatments"] = ProcedureIndexPage.objects.live().child_of(self).first()
        context["locations"] = ClinicLocation.objects.with_opening_hours()
        context["structured_data"] = clinics_graph(
            context["locations"],
            self.get_full_url(request),
            ClinicSettings.for_request(request).phone,
        )
        return context


class FeaturedTreatment(Orderable):
    """A treatment the editors put on the home page."""

    home_page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_treatments")
    procedure = models.ForeignKey(
        "procedures.ProcedurePage", on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("procedure")]

    class Meta(Orderable.Meta):
        verbose_name = "featured treatment"
