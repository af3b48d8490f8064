"""Practitioner profiles: one public page for each clinician ("Our clinicians" → "Dr A
Example"), with their role, qualifications, professional registration, photo, biography and
the treatments they give.

Qualifications and registration are clinical credentials that patients rely on, so a profile
goes live as a procedure page does: through the "Clinical review" workflow, published by a
clinical reviewer (see docs/editors.md, "Practitioner profiles").
"""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from base.text import non_empty_lines
from clinical_review.workflows import ClinicalPagePermissionTester, ClinicalSectionMixin

from .structured_data import practitioner_page_graph


class RegistrationBody(models.TextChoices):
    """The UK statutory registers of the professions a clinic like this employs. Each keeps a
    public register that patients can search on its website."""

    GMC = "GMC", "General Medical Council (doctors)"
    NMC = "NMC", "Nursing and Midwifery Council (nurses)"
    HCPC = "HCPC", "Health and Care Professions Council (physiotherapists and others)"
    GOSC = "GOsC", "General Osteopathic Council (osteopaths)"
    GCC = "GCC", "General Chiropractic Council (chiropractors)"
    GPHC = "GPhC", "General Pharmaceutical Council (pharmacists)"


# Each body's full name and the website where its public register is searched.
REGISTERS = {
    RegistrationBody.GMC: ("General Medical Council", "https://www.gmc-uk.org/"),
    RegistrationBody.NMC: ("Nursing and Midwifery Council", "https://www.nmc.org.uk/"),
    RegistrationBody.HCPC: ("Health and Care Professions Council", "https://www.hcpc-uk.org/"),
    RegistrationBody.GOSC: ("General Osteopathic Council", "https://www.osteopathy.org.uk/"),
    RegistrationBody.GCC: ("General Chiropractic Council", "https://www.gcc-uk.org/"),
    RegistrationBody.GPHC: (
        "General Pharmaceutical Council",
        "https://www.pharmacyregulation.org/",
    ),
}

# A GMC reference number has seven digits; the other registers' numbers vary in form.
NUMBER_PATTERNS = {RegistrationBody.GMC: (re.compile(r"[0-9]{7}"), "A GMC number has 7 digits.")}


class PractitionerIndexPage(ClinicalSectionMixin, Page):
    """/clinicians/: the clinic's practitioners, each with their role."""

    introduction = models.TextField(
        blank=True, help_text="A sentence or two above the list of clinicians."
    )

    content_panels = Page.content_panels + [FieldPanel("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["practitioners.PractitionerPage"]
    max_count = 1

    class Meta:
        verbose_name = "clinicians index page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["practitioners"] = (
            PractitionerPage.objects.child_of(self).live().order_by("title").select_related("photo")
        )
        return context


class PractitionerPage(Page):
    """A clinician's profile. The page title is their name as patients read it, with its
    honorific: "Dr A Example"."""

    role = models.CharField(
        "role or job title",
        max_length=120,
        help_text='As patients read it after the name, e.g. "pain consultant".',
    )
    qualifications = models.TextField(
        blank=True,
        help_text='One a line, as the practitioner writes them, e.g. "MBBS" then "FRCA".',
    )
    registration_body = models.CharField(
        "professional register",
        max_length=10,
        blank=True,
        choices=RegistrationBody.choices,
        help_text="The statutory register the practitioner is on.",
    )
    registration_number = models.CharField(
        max_length=20,
        blank=True,
        help_text="Their number on that register, e.g. a 7-digit GMC number.",
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Optional: a portrait, shown beside the profile.",
    )
    photo_alt_text = models.CharField(
        "photo's text alternative",
        max_length=200,
        blank=True,
        help_text='What the photo shows, for people who cannot see it, e.g. "Dr A Example '
        'smiling, in a blue shirt". Needed when there is a photo.',
    )
    biography = RichTextField(
        features=["bold", "italic", "link", "ul"],
        blank=True,
        help_text="A short biography: experience, interests, what patients can expect.",
    )
    treatments = ParentalManyToManyField(
        "procedures.ProcedurePage",
        blank=True,
        related_name="practitioners",
        help_text="The treatments this practitioner gives (the page lists the live ones).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="staff account",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practitioner_profile",
        help_text="Their admin account, if they have one: the treatments they approve in the "
        "clinical review then name this profile as the reviewer.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("role"),
        FieldPanel("qualifications"),
        FieldRowPanel(
            [FieldPanel("registration_body"), FieldPanel("registration_number")],
            heading="Professional registration",
        ),
        MultiFieldPanel([FieldPanel("photo"), FieldPanel("photo_alt_text")], heading="Photo"),
        FieldPanel("biography"),
        FieldPanel("treatments", widget=forms.CheckboxSelectMultiple),
        # Linking an account decides whose name a clinical review carries: administrators only.
        FieldPanel("user", permission="superuser"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("role"),
        index.SearchField("qualifications"),
        index.SearchField("biography"),
    ]

    parent_page_types = ["practitioners.PractitionerIndexPage"]
    subpage_types = []
    # One profile per account: a copy starts without it.
    exclude_fields_in_copy = ["user"]

    class Meta:
        verbose_name = "practitioner"

    def permissions_for_user(self, user):
        return ClinicalPagePermissionTester(user, self)

    def clean(self):
        super().clean()
        errors = {}
        if self.photo_id and not self.photo_alt_text.strip():
            errors["photo_alt_text"] = "Describe the photo for people who cannot see it."
        if self.registration_number and not self.registration_body:
            errors["registration_body"] = "Choose the register this number is on."
        if self.registration_body and not self.registration_number.strip():
            errors["registration_number"] = "Give the number on the register."
        self.registration_number = self.registration_number.strip()
        pattern = NUMBER_PATTERNS.get(self.registration_body)
        number = self.registration_number
        if pattern and number and not pattern[0].fullmatch(number):
            errors["registration_number"] = pattern[1]
        if errors:
            raise ValidationError(errors)

    def get_meta_description(self):
        return self.search_description or self.name_and_role

    @property
    def name_and_role(self):
        """ "Dr A Example, pain consultant", as the page's review line names a reviewer."""
        return f"{self.title}, {self.role}" if self.role else self.title

    @property
    def qualification_list(self):
        return non_empty_lines(self.qualifications)

    @property
    def register_name(self):
        return REGISTERS[self.registration_body][0] if self.registration_body else ""

    @property
    def register_url(self):
        """Where patients can search the register the practitioner is on."""
        return REGISTERS[self.registration_body][1] if self.registration_body else ""

    def live_treatments(self):
        return self.treatments.live().order_by("title")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["treatments"] = list(self.live_treatments())
        context["structured_data"] = practitioner_page_graph(self, context["treatments"], request)
        return context
