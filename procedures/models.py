import functools
import re

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.text import slugify
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index

from base.blocks import SectionBlock
from base.pagination import paginate
from base.text import lower_first
from clinical_review.models import MedicalReviewMixin
from clinical_review.workflows import ClinicalPagePermissionTester, ClinicalSectionMixin
from pagecache.models import content_version

from .block_text import plain_text, stripped
from .blocks import ProcedureStreamBlock, standard_sections
from .forms import BodyAreaFilterForm
from .listing import BodyAreaQuerySet, ProcedurePageQuerySet, listed_areas, listed_count
from .readability import page_smog, readability_report, smog_target
from .structured_data import procedure_page_graph

DOI_PATTERN = re.compile(r"10\.[0-9]{4,9}/\S+")
DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:")


class BodyArea(index.Indexed, models.Model):
    """A part of the body or a condition that procedures treat, e.g. "Knee", "Lower back"."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        blank=True,
        help_text="For web addresses and filters; made from the name when left empty.",
    )

    objects = BodyAreaQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = "body area"

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class Reference(index.Indexed, models.Model):
    """A published source that procedure pages cite. Typed once, cited by any page."""

    authors = models.CharField(
        max_length=255, help_text='As in the publication, Vancouver style: "Wee TC, et al."'
    )
    title = models.CharField(max_length=500)
    journal = models.CharField(
        max_length=255, help_text='The journal\'s abbreviation: "J Clin Orthop Trauma".'
    )
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1800), MaxValueValidator(2100)]
    )
    date_detail = models.CharField(
        "month and day",
        max_length=20,
        blank=True,
        help_text='Only if the publication gives it, e.g. "May 20".',
    )
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=40, blank=True, help_text='e.g. "108–117".')
    doi = models.CharField(
        "DOI",
        max_length=255,
        blank=True,
        help_text='The Digital Object Identifier, e.g. "10.1016/j.jcot.2021.05.015".',
    )
    pmid = models.CharField(
        "PMID",
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"\A[0-9]{1,8}\Z", "A PMID is a number of up to 8 digits.")],
        help_text="The PubMed identifier, digits only. Leave empty unless confirmed.",
    )
    url = models.URLField("URL", max_length=500, blank=True)

    panels = [
        FieldPanel("authors"),
        FieldPanel("title"),
        FieldPanel("journal"),
        FieldRowPanel([FieldPanel("year"), FieldPanel("date_detail")]),
        FieldRowPanel([FieldPanel("volume"), FieldPanel("issue"), FieldPanel("pages")]),
        MultiFieldPanel(
            [FieldPanel("doi"), FieldPanel("pmid"), FieldPanel("url")],
            heading="Where to find it",
            help_text="At least one of DOI, PMID or URL.",
        ),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("authors"),
        index.AutocompleteField("title"),
        index.FilterField("year"),
    ]

    class Meta:
        ordering = ["authors", "year"]

    def __str__(self):
        return f"{self.authors} ({self.year}). {self.title}"

    def clean(self):
        super().clean()
        self.doi = self.doi.strip()
        for prefix in DOI_PREFIXES:
            if self.doi.lower().startswith(prefix):
                self.doi = self.doi[len(prefix) :]
        if self.doi and not DOI_PATTERN.fullmatch(self.doi):
            raise ValidationError(
                {"doi": 'A DOI starts with "10.", then a registrant code, "/" and a suffix.'}
            )
        if not (self.doi or self.pmid or self.url):
            raise ValidationError({"doi": "Give at least one of DOI, PMID or URL."})

    @property
    def doi_url(self):
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self):
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def links(self):
        """Where to read it, best first, each with the text its link shows: the DOI and
        PubMed, or else the URL."""
        links = []
        if self.doi:
            links.append((self.doi_url, f"doi:{self.doi}"))
        if self.pmid:
            links.append((self.pubmed_url, f"PubMed {self.pmid}"))
        if not links and self.url:
            links.append((self.url, self.url))
        return links

    @property
    def link(self):
        """The best place to read it."""
        return self.links[0][0] if self.links else ""

    @property
    def source(self):
        """The journal part of an NLM-style citation: "J Clin Orthop Trauma. 2021;19:108–117"."""
        date = f"{self.year} {self.date_detail}".strip()
        locator = self.volume
        if self.issue:
            locator += f"({self.issue})"
        if self.pages:
            locator += f":{self.pages}"
        return f"{self.journal}. {date};{locator}" if locator else f"{self.journal}. {date}"

    @property
    def authors_sentence(self):
        return f"{self.authors.rstrip('.')}."

    @property
    def title_sentence(self):
        return self.title if self.title.endswith(("?", "!", ".")) else f"{self.title}."


# Procedure pages carry medical claims: they go live when a clinical reviewer approves them in
# the "Clinical review" workflow, which publishes them as the reviewer. Only those who may
# review (clinical reviewers, superusers) may publish one; only a superuser may add one
# published (from the procedures index's "add" form), past the review.


class ProcedureIndexPage(ClinicalSectionMixin, Page):
    """/procedures/: the clinic's treatments, each with its summary."""

    introduction = models.TextField(
        blank=True, help_text="A sentence or two above the list of treatments."
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["procedures.ProcedurePage"]
    max_count = 1

    class Meta:
        verbose_name = "treatments index page"

    PROCEDURES_PER_PAGE = 20

    def get_context(self, request, *args, **kwargs):
        """A page of the live treatments, narrowed to one body area if the patient chose one.

        A fixed number of queries, a page of treatments read through an index, however many
        there are; their number and the body areas once per content version (listing.py)."""
        context = super().get_context(request, *args, **kwargs)
        procedures = ProcedurePage.objects.child_of(self).listed()
        areas = listed_areas(BodyArea.objects, procedures)
        area_form = BodyAreaFilterForm(request.GET, areas=areas)
        area = area_form.cleaned_data["area"] if area_form.is_valid() else None
        if area is not None:
            procedures = procedures.filter(body_areas=area)
        context["area_form"] = area_form
        context["area"] = area
        context["procedures"] = paginate(
            request,
            procedures.order_by("listed_title", "pk").defer("body").prefetch_related("body_areas"),
            self.PROCEDURES_PER_PAGE,
            count=functools.partial(listed_count, procedures, area),
        )
        number = context["procedures"].number
        context["canonical_params"] = {
            "area": area.slug if area else "",
            "page": number if number > 1 else "",
        }
        return context


PROCEDURE_TYPES = [
    ("NoninvasiveProcedure", "Non-invasive"),
    ("PercutaneousProcedure", "Percutaneous (through the skin, e.g. an injection)"),
    ("SurgicalProcedure", "Surgical"),
]


class ProcedurePage(MedicalReviewMixin, Page):
    """A treatment the clinic offers, built from typed sections."""

    summary = models.TextField(
        max_length=300,
        help_text="One or two sentences for listings and search results (at most 300 characters).",
    )
    procedure_type = models.CharField(
        max_length=40,
        choices=PROCEDURE_TYPES,
        default="PercutaneousProcedure",
        help_text="How the procedure reaches the body; search engines read this.",
    )
    heading_name = models.CharField(
        "name in headings",
        max_length=120,
        blank=True,
        help_text='The name as it reads mid-sentence, e.g. "platelet-rich plasma (PRP) '
        'injections". Leave empty to use the title with a small first letter; a leading '
        'acronym stays as it is ("PRP injections").',
    )
    name_is_plural = models.BooleanField(
        "the name is plural",
        default=False,
        help_text='Tick for a name such as "… injections": headings then read "What are …?" '
        'and "How … are done".',
    )
    body_areas = ParentalManyToManyField(
        BodyArea,
        blank=True,
        related_name="procedures",
        help_text="The parts of the body or conditions it treats.",
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional. Shown at the top of the page and in listings.",
    )
    body = StreamField(ProcedureStreamBlock(), default=standard_sections)
    smog_grade = models.DecimalField(
        "reading level (SMOG grade)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        editable=False,
        help_text="The SMOG grade of the page's text, worked out each time the page is saved.",
    )
    # The title while live, else NULL, set on every save: an index of this table then serves
    # the treatments list's order and which treatments it shows (procedures/listing.py).
    listed_title = models.CharField(max_length=255, null=True, editable=False)

    objects = PageManager.from_queryset(ProcedurePageQuerySet)()

    CACHE_SECONDS = 3600

    content_panels = Page.content_panels + [
        FieldRowPanel(
            [FieldPanel("heading_name"), FieldPanel("name_is_plural")],
            heading="How headings name the treatment",
        ),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("procedure_type"), FieldPanel("body_areas")]),
        FieldPanel("image"),
        FieldPanel(
            "body",
            help_text="Preview → Readability (SMOG) shows how easy each section is to read, "
            "as you type.",
        ),
        *MedicalReviewMixin.review_panels,
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("body_areas", [index.SearchField("name")]),
        index.FilterField("next_review_due"),
    ]

    parent_page_types = ["procedures.ProcedureIndexPage"]
    subpage_types = []

    # The editor's preview shows the page, or how readable each of its sections is.
    READABILITY_PREVIEW_MODE = "readability"
    preview_modes = [("", "Page"), (READABILITY_PREVIEW_MODE, "Readability (SMOG)")]

    class Meta:
        # Staff call them treatments everywhere in the admin.
        verbose_name = "treatment"
        verbose_name_plural = "treatments"
        indexes = [
            models.Index(
                fields=["listed_title", "page_ptr"],
                name="procedure_listed",
                condition=models.Q(listed_title__isnull=False),
            )
        ]

    def save(self, *args, **kwargs):
        """Keep the SMOG grade of what the page says (its summary and body) with the page, so
        that the Treatments listing can show and sort by it; and the title the treatments
        list shows it under, or none while it is not live."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"body", "summary"} & set(update_fields):
            self.smog_grade = page_smog(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "smog_grade"}
        self.listed_title = self.title if self.live else None
        if update_fields is not None and {"title", "live"} & set(update_fields):
            kwargs["update_fields"] = {*kwargs["update_fields"], "listed_title"}
        super().save(*args, **kwargs)

    def get_meta_description(self):
        return self.search_description or self.summary

    def serve_preview(self, request, mode_name):
        if mode_name == self.READABILITY_PREVIEW_MODE:
            return TemplateResponse(
                request,
                "procedures/admin/readability_preview.html",
                {"page": self, "report": readability_report(self, smog_target(request))},
            )
        return super().serve_preview(request, mode_name)

    def permissions_for_user(self, user):
        return ClinicalPagePermissionTester(user, self)

    def get_cache_key_components(self):
        """The rendered article is cached (see the page template) under a key that changes
        when the page is published, and with the content version (pagecache) when anything
        it shows from outside the page changes (a reference, a clinic location, a body area)."""
        return [*super().get_cache_key_components(), content_version()]

    @property
    @admin.display(description="Body areas")
    def body_area_names(self):
        return ", ".join(area.name for area in self.shown_body_areas())

    def shown_body_areas(self):
        """The page's body areas, by name: as the database holds them, as a list read them
        ahead (prefetch_related), or, in a preview, as the editor chose them."""
        return self.body_areas.all()

    @property
    def name_in_sentence(self):
        """The name that headings use: the editor's, else the title as it reads mid-sentence."""
        return self.heading_name.strip() or lower_first(self.title.strip())

    @property
    def sections(self):
        """The body's blocks, each with whether it is a section under its own heading (and
        so labelled by it): (block, has_heading)."""
        return [(block, isinstance(block.block, SectionBlock)) for block in self.body]

    def blocks_of_type(self, block_type):
        return [block.value for block in self.body if block.block_type == block_type]

    @cached_property
    def cited_references(self):
        """Every reference the page's evidence cites, once each, in order of first citation."""
        seen = {}
        for evidence in self.blocks_of_type("evidence"):
            for finding in evidence["findings"]:
                for reference in finding["references"]:
                    if reference is not None and reference.pk not in seen:
                        seen[reference.pk] = reference
        return list(seen.values())

    def citation_number(self, reference):
        for number, cited in enumerate(self.cited_references, start=1):
            if cited.pk == reference.pk:
                return number
        return None

    @cached_property
    def how_performed(self):
        return " ".join(
            plain_text(block["body"])
            for block in self.blocks_of_type("description")
            if block["section"] == "how"
        )

    @cached_property
    def followup(self):
        """What the page says follows the treatment: the schedule's "afterwards" and the
        recovery and aftercare sections, in the order they show."""
        texts = []
        for block in self.body:
            if block.block_type == "treatment_schedule":
                texts.append(stripped(block.value, "afterwards"))
            elif block.block_type == "aftercare":
                texts.append(block.value.followup)
        return " ".join(text for text in texts if text)

    @cached_property
    def location(self):
        for block in self.blocks_of_type("location_map"):
            if block["location"] is not None:
                return block["location"]
        return None

    @cached_property
    def practitioners_who_give_it(self):
        """The live practitioners that the "Who does it" sections name, once each."""
        seen = {}
        for practitioner in self.named_practitioners:
            if practitioner.live:
                seen.setdefault(practitioner.pk, practitioner)
        return list(seen.values())

    @property
    def reviewer_profile(self):
        """The reviewer's live practitioner profile. When the reviewer is one of the
        practitioners the "Who does it" sections name, it is the profile those sections
        already read (no query of its own); else it is read by the page's foreign key."""
        pk = self.reviewed_by_practitioner_id
        if pk is not None:
            for practitioner in self.named_practitioners:
                if practitioner.pk == pk:
                    return practitioner if practitioner.live else None
        return super().reviewer_profile

    @property
    def named_practitioners(self):
        """Every practitioner the "Who does it" sections choose, live or not. Only those
        sections are read (one query for all of them, as when they are shown), not the rest
        of the body."""
        return [
            practitioner
            for position, block in enumerate(self.body.raw_data)
            if block["type"] == "who_does_it"
            for practitioner in self.body[position].value["practitioners"]
            if practitioner is not None
        ]

    @property
    def has_map(self):
        """Whether the body places a clinic location (read from the stored JSON, no query)."""
        return any(
            block["type"] == "location_map" and block["value"].get("location")
            for block in self.body.raw_data
        )

    def structured_data(self, request=None):
        return procedure_page_graph(self, request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Built only when the template asks (its cached fragment may already hold it), with
        # the request, whose Site gives the page's address without asking the database.
        context["structured_data"] = functools.partial(self.structured_data, request)
        return context
