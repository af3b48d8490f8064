import datetime
import functools
import re

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import connections, models, router, transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, strip_tags
from django.utils.text import slugify
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import AbstractGroupApprovalTask, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from clinic_site.pages import ViewRestrictionsMixin
from clinic_site.pagination import paginate
from clinic_site.sql import column, compiled_once, table
from clinic_site.text import lower_first, non_empty_lines, tel_href
from pagecache.models import content_version

from . import opening_hours
from .blocks import ProcedureStreamBlock, SectionBlock, plain_text, standard_sections, stripped
from .forms import BodyAreaFilterForm, ClinicLocationForm
from .readability import page_smog, readability_report, smog_target
from .structured_data import procedure_page_graph
from .workflows import (
    ClinicalPagePermissionTester,
    ClinicalSectionMixin,
    record_clinical_review,
)

DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
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
        validators=[RegexValidator(r"^\d{1,8}$", "A PMID is a number of up to 8 digits.")],
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
        if self.doi and not DOI_PATTERN.match(self.doi):
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


class ClinicLocationManager(models.Manager):
    def with_opening_hours(self):
        """Every location, each with its opening times and exceptions: two queries however
        many locations there are (the locations, then read_opening_hours)."""
        locations = list(self.all())
        rows = read_opening_hours([location.pk for location in locations])
        for location in locations:
            location.opening_hours_rows = rows[location.pk]
        return locations


class ClinicLocation(index.Indexed, ClusterableModel):
    """A place where the clinic sees patients, with its opening hours. Procedure pages show it
    on a map."""

    name = models.CharField(max_length=120)
    street_address = models.CharField(
        max_length=255, help_text="Building and street; use a new line for each line."
    )
    locality = models.CharField("town or city", max_length=100)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(
        max_length=2, default="GB", help_text="Two-letter country code (ISO 3166), e.g. GB."
    )
    phone = models.CharField(max_length=40, blank=True)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="Decimal degrees, north positive (e.g. 51.507400). Find it on openstreetmap.org.",
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="Decimal degrees, east positive (e.g. -0.127800).",
    )

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("locality"), FieldPanel("postal_code")]),
                FieldPanel("country"),
            ],
            heading="Address",
        ),
        FieldPanel("phone"),
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading="Map position"),
        InlinePanel(
            "opening_times",
            heading="Opening hours each week",
            label="Opening time",
            help_text="One row for each time the clinic opens: a day with a lunch break has "
            "two rows (e.g. Monday 09:00 to 12:30 and Monday 13:30 to 17:00). A day without a "
            "row shows as closed. Search engines read these hours.",
        ),
        InlinePanel(
            "opening_exceptions",
            heading="Holidays and special hours",
            label="Change to the usual hours",
            help_text="Days the clinic is closed or keeps other hours, e.g. 25 and 26 "
            "December. Pages list the ones coming up in the next two months.",
        ),
    ]
    base_form_class = ClinicLocationForm
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    objects = ClinicLocationManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def street_lines(self):
        return non_empty_lines(self.street_address)

    @property
    def address_lines(self):
        town = " ".join(part for part in [self.locality, self.postal_code] if part)
        return [*self.street_lines, town]

    @cached_property
    def opening_hours_rows(self):
        """(opening times, holidays and special hours), read together in one query, once for
        everything a page shows of them; ClinicLocation.objects.with_opening_hours() reads
        them for many locations at once."""
        return read_opening_hours([self.pk])[self.pk]

    @property
    def opening_time_list(self):
        return self.opening_hours_rows[0]

    @property
    def opening_exception_list(self):
        return self.opening_hours_rows[1]

    @cached_property
    def week(self):
        """The usual week, Monday first: (weekday number, day name, ["09:00–17:00", …])."""
        return opening_hours.week(self.opening_time_list)

    @property
    def has_opening_hours(self):
        return any(hours for _, _, hours in self.week)

    @cached_property
    def upcoming_exceptions(self):
        """Holidays and special hours not over yet and starting within two months."""
        return opening_hours.upcoming(self.opening_exception_list)

    @property
    def phone_href(self):
        return tel_href(self.phone)

    @property
    def directions_url(self):
        return (
            "https://www.openstreetmap.org/directions?route=%3B"
            f"{self.latitude}%2C{self.longitude}#map=16/{self.latitude}/{self.longitude}"
        )


class Weekday(models.IntegerChoices):
    """ISO 8601 day numbers: Monday is 1."""

    MONDAY = 1, "Monday"
    TUESDAY = 2, "Tuesday"
    WEDNESDAY = 3, "Wednesday"
    THURSDAY = 4, "Thursday"
    FRIDAY = 5, "Friday"
    SATURDAY = 6, "Saturday"
    SUNDAY = 7, "Sunday"


def closes_after_opens(opens, closes):
    """The error on the closing time when it is not after the opening time, else None."""
    if opens is not None and closes is not None and closes <= opens:
        return ValidationError(
            f"The closing time must be after the opening time ({opening_hours.hhmm(opens)}), "
            "on the same day.",
            code="closes_before_opens",
        )
    return None


class OpeningTime(models.Model):
    """A time a clinic location opens on a day of the week, e.g. Monday 09:00 to 12:30."""

    location = ParentalKey(ClinicLocation, on_delete=models.CASCADE, related_name="opening_times")
    weekday = models.PositiveSmallIntegerField("day", choices=Weekday.choices)
    opens = models.TimeField(help_text="24-hour clock, e.g. 09:00.")
    closes = models.TimeField(help_text="24-hour clock, e.g. 17:00.")

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")])]

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = "opening time"

    def __str__(self):
        return f"{self.get_weekday_display()} {opening_hours.time_range(self.opens, self.closes)}"

    def clean(self):
        super().clean()
        error = closes_after_opens(self.opens, self.closes)
        if error:
            raise ValidationError({"closes": error})


class OpeningHoursException(models.Model):
    """A day or run of days when a clinic location is closed or keeps other hours."""

    location = ParentalKey(
        ClinicLocation, on_delete=models.CASCADE, related_name="opening_exceptions"
    )
    label = models.CharField(
        max_length=80, blank=True, help_text='Optional; patients see it, e.g. "Christmas".'
    )
    first_day = models.DateField("from")
    last_day = models.DateField("until", null=True, blank=True, help_text="Empty for one day.")
    opens = models.TimeField(
        null=True, blank=True, help_text="Leave both times empty when closed all day."
    )
    closes = models.TimeField(null=True, blank=True)

    panels = [
        FieldPanel("label"),
        FieldRowPanel([FieldPanel("first_day"), FieldPanel("last_day")]),
        FieldRowPanel([FieldPanel("opens"), FieldPanel("closes")]),
    ]

    class Meta:
        ordering = ["first_day"]
        verbose_name = "change to the usual hours"
        verbose_name_plural = "changes to the usual hours"

    def __str__(self):
        return strip_tags(self.sentence)

    def clean(self):
        super().clean()
        errors = {}
        if self.first_day and self.last_day and self.last_day < self.first_day:
            errors["last_day"] = (
                "The last day cannot be before the first "
                f"({opening_hours.long_date(self.first_day)})."
            )
        if (self.opens is None) != (self.closes is None):
            missing = "closes" if self.closes is None else "opens"
            errors[missing] = (
                "Give both the opening and the closing time, or neither when closed all day."
            )
        error = closes_after_opens(self.opens, self.closes)
        if error:
            errors["closes"] = error
        if errors:
            raise ValidationError(errors)

    @property
    def last_day_or_first(self):
        return self.last_day or self.first_day

    @property
    def closed(self):
        return self.opens is None

    @property
    def hours_text(self):
        """ "Closed" or "Open 10:00–14:00"."""
        if self.closed:
            return "Closed"
        return f"Open {opening_hours.time_range(self.opens, self.closes)}"

    @property
    def today_text(self):
        """What the day's row of the week says on one of these days."""
        if self.closed:
            return "Closed today"
        return f"Open {opening_hours.time_range(self.opens, self.closes)} today"

    @property
    def sentence(self):
        """ "Closed on 25 and 26 December 2026 (Christmas)", the dates in <time> elements."""
        dates = opening_hours.dates_html(self.first_day, self.last_day_or_first)
        if self.label:
            return format_html("{} {} ({})", self.hours_text, dates, self.label)
        return format_html("{} {}", self.hours_text, dates)


def read_opening_hours(location_ids):
    """{location id: (opening times, exceptions)} for the given locations, each list in its
    model's order, read in a single query: the UNION of both tables' rows, each marked with
    its kind.

    The query is written out, in SQL that SQLite and PostgreSQL both read: every page that
    shows a location runs it, and Django took longer to build it from two querysets than the
    database takes to run it."""
    rows = {location_id: ([], []) for location_id in location_ids}
    if not location_ids:
        return rows
    in_ids = ", ".join(["%s"] * len(location_ids))

    def select(kind, model, columns):
        listed = ", ".join("NULL" if name is None else column(model, name) for name in columns)
        return (
            f"SELECT '{kind}', {listed} FROM {table(model)} "
            f"WHERE {column(model, 'location')} IN ({in_ids})"
        )

    # One column list for both: what a row of the other kind lacks is NULL.
    times = select(
        "time", OpeningTime, ["id", "location", "weekday", None, None, None, "opens", "closes"]
    )
    exceptions = select(
        "exception",
        OpeningHoursException,
        ["id", "location", None, "label", "first_day", "last_day", "opens", "closes"],
    )
    db = router.db_for_read(OpeningTime)
    with connections[db].cursor() as cursor:
        cursor.execute(f"{times} UNION ALL {exceptions}", [*location_ids, *location_ids])
        fetched = cursor.fetchall()
    for kind, pk, location_id, weekday, label, first_day, last_day, opens, closes in fetched:
        if kind == "time":
            model, rows_of_kind = OpeningTime, rows[location_id][0]
            fields = {"id": pk, "location_id": location_id, "weekday": weekday}
        else:
            model, rows_of_kind = OpeningHoursException, rows[location_id][1]
            fields = {"id": pk, "location_id": location_id, "label": label}
            fields.update(first_day=as_date(first_day), last_day=as_date(last_day))
        fields.update(opens=as_time(opens), closes=as_time(closes))
        rows_of_kind.append(model.from_db(db, list(fields), list(fields.values())))
    for opening_times, opening_exceptions in rows.values():
        opening_times.sort(key=lambda t: (t.weekday, t.opens, t.pk))
        opening_exceptions.sort(key=lambda e: (e.first_day, e.pk))
    return rows


# A date or time as the database gives it (SQLite: as text) in Python's type.
as_date = models.DateField().to_python
as_time = models.TimeField().to_python


REVIEW_DUE_SOON_DAYS = 30


def one_year_after(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


class ReviewStatus(models.TextChoices):
    """Where a page stands with its medical review. Only a live page can be overdue or due."""

    NOT_REVIEWED = "not reviewed", "Not reviewed yet"
    OVERDUE = "overdue", "Overdue"
    DUE_SOON = "due soon", "Due soon"
    CURRENT = "current", "Reviewed"


class MedicalReviewMixin(models.Model):
    """When a page's medical content was last reviewed, by whom, and when it is due again."""

    last_reviewed = models.DateField(
        null=True, blank=True, help_text="The date a clinician last checked this page."
    )
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text='Name and role of that clinician, e.g. "Dr A Example, pain consultant".',
    )
    reviewed_by_practitioner = models.ForeignKey(
        "practitioners.PractitionerPage",
        verbose_name="reviewer's profile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The clinician's profile page, when they have one: the page then links to it.",
    )
    next_review_due = models.DateField(
        null=True,
        blank=True,
        help_text="Leave empty for a year after the last review.",
    )

    review_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("last_reviewed"), FieldPanel("next_review_due")]),
                FieldPanel("reviewed_by"),
                FieldPanel("reviewed_by_practitioner"),
            ],
            heading="Medical review",
        )
    ]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.last_reviewed and not self.next_review_due:
            self.next_review_due = one_year_after(self.last_reviewed)
        super().save(*args, **kwargs)

    def record_review(self, reviewer_name, day=None, practitioner=None):
        """Set the review fields for a review done on `day` (today, in the clinic, by default)
        by `reviewer_name`, whose practitioner profile is `practitioner` if they have one."""
        day = day or timezone.localdate()
        self.last_reviewed = day
        self.reviewed_by = reviewer_name
        self.reviewed_by_practitioner = practitioner
        self.next_review_due = one_year_after(day)

    @property
    def reviewer_profile(self):
        """The reviewer's practitioner profile, when it is live (and so may be linked to)."""
        profile = self.reviewed_by_practitioner
        return profile if profile is not None and profile.live else None

    @property
    def review_status(self):
        """A ReviewStatus; the same rules as ProcedurePageQuerySet's review filters."""
        if self.last_reviewed is None:
            return ReviewStatus.NOT_REVIEWED
        today = timezone.localdate()
        if self.live and self.next_review_due is not None:
            if self.next_review_due < today:
                return ReviewStatus.OVERDUE
            if self.next_review_due <= today + datetime.timedelta(days=REVIEW_DUE_SOON_DAYS):
                return ReviewStatus.DUE_SOON
        return ReviewStatus.CURRENT

    @property
    @admin.display(description="Review status")
    def review_status_label(self):
        return self.review_status.label


class ProcedurePageQuerySet(PageQuerySet):
    def not_reviewed(self):
        """Pages no clinician has reviewed yet."""
        return self.filter(last_reviewed__isnull=True)

    def review_overdue(self, today=None):
        """Live pages whose next review date has passed."""
        today = today or timezone.localdate()
        return self.live().filter(last_reviewed__isnull=False, next_review_due__lt=today)

    def review_due_soon(self, days=REVIEW_DUE_SOON_DAYS, today=None):
        """Live pages whose next review falls within the next `days` days (today included)."""
        today = today or timezone.localdate()
        return self.live().filter(
            last_reviewed__isnull=False,
            next_review_due__gte=today,
            next_review_due__lte=today + datetime.timedelta(days=days),
        )

    def review_due(self, days=REVIEW_DUE_SOON_DAYS, today=None):
        """Live pages that are overdue, due within `days` days, or not reviewed yet."""
        return (
            self.review_overdue(today)
            | self.review_due_soon(days, today)
            | self.live().not_reviewed()
        )


class ClinicalReviewTask(AbstractGroupApprovalTask):
    """The clinical review of a page, by the members of the chosen groups. Approving it is the
    review: the page records it (reviewed today, by the approver, next review a year on) in
    the revision that goes live."""

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve" and task_state.status == task_state.STATUS_IN_PROGRESS:
            record_clinical_review(task_state.workflow_state, user)
        super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return "Members of the chosen groups review the medical content; approving records it."

    class Meta:
        verbose_name = "clinical review task"
        verbose_name_plural = "clinical review tasks"


# Procedure pages carry medical claims: they go live when a clinical reviewer approves them in
# the "Clinical review" workflow, which publishes them as the reviewer. Only those who may
# review (clinical reviewers, superusers) may publish one; only a superuser may add one
# published (from the procedures index's "add" form), past the review.


class ProcedureIndexPage(ClinicalSectionMixin, ViewRestrictionsMixin, Page):
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

        A fixed number of queries, however many treatments there are."""
        context = super().get_context(request, *args, **kwargs)
        procedures = ProcedurePage.objects.child_of(self).live()
        areas = list(BodyArea.objects.filter(procedures__in=procedures).distinct())
        area_form = BodyAreaFilterForm(request.GET, areas=areas)
        area = area_form.cleaned_data["area"] if area_form.is_valid() else None
        if area is not None:
            procedures = procedures.filter(body_areas=area)
        context["area_form"] = area_form
        context["area"] = area
        context["procedures"] = paginate(
            request,
            procedures.order_by("title").prefetch_related("body_areas"),
            self.PROCEDURES_PER_PAGE,
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


class ProcedurePage(ViewRestrictionsMixin, MedicalReviewMixin, Page):
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
        permissions = [("review_procedurepage", "Can approve treatments in clinical review")]

    def save(self, *args, **kwargs):
        """Keep the SMOG grade of what the page says (its summary and body) with the page, so
        that the Treatments listing can show and sort by it."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or {"body", "summary"} & set(update_fields):
            self.smog_grade = page_smog(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "smog_grade"}
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
        """The page's body areas, by name. As they stand in the database (as a visitor sees
        them), they are read in SQL compiled once per connection (`compiled_once`); a
        preview's, or those a list read ahead (prefetch_related), come from memory."""
        areas = self.body_areas.all()
        in_memory = not isinstance(areas, models.QuerySet) or areas._result_cache is not None
        if in_memory or self.pk is None:
            return areas

        def read():
            return BodyArea.objects.filter(procedures=self.pk)

        return compiled_once(BodyArea, "areas of a procedure", read, [self.pk])

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


class ReviewReminder(models.Model):
    """The last reminder mailed to one person about one page's medical review (see the
    `send_review_reminders` command): a page is named to the same person at most once a week."""

    page = models.ForeignKey(
        ProcedurePage, on_delete=models.CASCADE, related_name="review_reminders"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["page", "recipient"], name="one_review_reminder_per_page_and_recipient"
            )
        ]

    def __str__(self):
        return f"{self.page} to {self.recipient} at {self.sent_at:%Y-%m-%d %H:%M}"
