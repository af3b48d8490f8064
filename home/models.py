from django.db import models
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

from base.models import ClinicSettings
from locations.models import ClinicLocation
from locations.structured_data import clinics_graph
from procedures.models import ProcedureIndexPage

FEATURED_TREATMENTS_MAX = 6


class HomePage(Page):
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

    def get_context(self, request, *args, **kwargs):
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
