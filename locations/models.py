"""Where the clinic sees patients: its locations, each with weekly opening hours and dated
changes to them (holidays, special hours). Procedure pages and the home page show them."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.html import format_html, strip_tags
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.search import index

from base.text import non_empty_lines, tel_href

from . import opening_hours
from .forms import ClinicLocationForm

# What a page shows of a location's hours, read ahead for many locations at once.
OPENING_HOURS = ("opening_times", "opening_exceptions")


class ClinicLocationManager(models.Manager):
    def with_opening_hours(self):
        """Every location, each with its opening times and exceptions: three queries however
        many locations there are."""
        return list(self.all().prefetch_related(*OPENING_HOURS))


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
    def opening_time_list(self):
        """The weekly opening times, in order (read ahead by prefetch_related(*OPENING_HOURS)
        where many locations are shown)."""
        return list(self.opening_times.all())

    @cached_property
    def opening_exception_list(self):
        """Holidays and special hours, in order of their first day."""
        return list(self.opening_exceptions.all())

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
