"""The clinic's contact form page, its editable fields and its stored submissions."""

import logging

from django.conf import settings
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import (
    FORM_FIELD_CHOICES as WAGTAIL_FIELD_CHOICES,
)
from wagtail.contrib.forms.models import (
    AbstractEmailForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField

from .forms import ContactFormBuilder
from .ratelimit import RateLimit

logger = logging.getLogger(__name__)

# Wagtail's field types, with "Phone number" after "Email".
FORM_FIELD_CHOICES = []
for _choice in WAGTAIL_FIELD_CHOICES:
    FORM_FIELD_CHOICES.append(_choice)
    if _choice[0] == "email":
        FORM_FIELD_CHOICES.append(("phone", "Phone number"))
FORM_FIELD_CHOICES = tuple(FORM_FIELD_CHOICES)


def rate_limit_message():
    minutes = max(1, round(settings.CONTACT_RATE_WINDOW / 60))
    wait = "an hour" if minutes == 60 else f"{minutes} minute{'s' if minutes != 1 else ''}"
    return (
        "You have sent several messages in a short time, so we could not take this one. "
        f"Please try again in {wait}, or call us. What you typed is still below."
    )


NEW_PICTURE_MESSAGE = "Here is a new picture. Your message has not been sent yet."


class FormField(AbstractFormField):
    """One field of the contact form, added, ordered and marked required by editors."""

    page = ParentalKey("ContactFormPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(
        verbose_name="field type", max_length=16, choices=FORM_FIELD_CHOICES
    )
    field_type.required_on_save = True

    class Meta(AbstractFormField.Meta):
        verbose_name = "form field"


class ContactSubmissionQuerySet(models.QuerySet):
    def pending(self):
        """Submissions whose notification to the clinic has not been sent yet."""
        return self.filter(notification_sent_at__isnull=True)


class ContactSubmission(AbstractFormSubmission):
    """A stored message, with the state of the clinic's e-mail notification about it.

    A submission is saved before any mail is tried; `notification_sent_at` stays empty
    until the clinic's mail server has accepted the notification."""

    notification_sent_at = models.DateTimeField(null=True, blank=True)
    notification_error = models.TextField(blank=True)
    notification_attempts = models.PositiveIntegerField(default=0)
    # Set while one process is sending the notification, so that no other process sends
    # it at the same time (see forms.notifications).
    notification_claimed_at = models.DateTimeField(null=True, blank=True)

    objects = ContactSubmissionQuerySet.as_manager()

    class Meta(AbstractFormSubmission.Meta):
        verbose_name = "contact message"
        verbose_name_plural = "contact messages"
        indexes = [models.Index(fields=["notification_sent_at"])]

    @property
    def pending(self):
        return self.notification_sent_at is None

    @property
    def notification_status(self):
        if self.notification_sent_at:
            sent = date_format(
                timezone.localtime(self.notification_sent_at), "SHORT_DATETIME_FORMAT"
            )
            return f"Sent {sent}"
        if self.notification_error:
            return f"Not sent yet ({self.notification_attempts} tries): {self.notification_error}"
        return "Not sent yet"

    def get_data(self):
        return {**super().get_data(), "notification_status": self.notification_status}


class ContactFormPage(AbstractEmailForm):
    """The contact form: editors choose its fields; each message is stored, then mailed to
    the clinic (the addresses only superusers may change)."""

    template = "forms/contact_form_page.html"
    landing_page_template = "forms/contact_form_page_landing.html"
    form_builder = ContactFormBuilder

    introduction = models.TextField(
        blank=True,
        help_text="Shown above the form: what the form is for, and what it is not for.",
    )
    thank_you_text = RichTextField(
        blank=True,
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="Shown after a message is sent: what happens next.",
    )

    content_panels = AbstractEmailForm.content_panels + [
        FormSubmissionsPanel(),
        FieldPanel("introduction"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("from_address", permission="superuser"),
                        FieldPanel("to_address", permission="superuser"),
                    ]
                ),
                FieldPanel("subject", permission="superuser"),
            ],
            heading="Notification e-mail",
            permission="superuser",
        ),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = []
    max_count = 1

    class Meta:
        verbose_name = "contact form page"

    def get_submission_class(self):
        return ContactSubmission

    @property
    def submissions_list_view_class(self):
        # Wagtail's admin views import page models, so this one is imported when first used.
        from .views import ContactSubmissionsListView

        return ContactSubmissionsListView

    def get_data_fields(self):
        return super().get_data_fields() + [("notification_status", "Notification")]

    # Serving

    def serve(self, request, *args, **kwargs):
        if request.method != "POST":
            form = self.get_form(page=self, user=request.user)
            return self.render_form(request, form)

        form = self.get_form(request.POST, request.FILES, page=self, user=request.user)

        if "refresh_captcha" in request.POST:
            # Without JavaScript, "Get a new picture" submits the form: show it again as
            # typed, with a new picture, judging nothing.
            form = self.get_form(initial=form.typed_values(), page=self, user=request.user)
            return self.render_form(request, form, notice=NEW_PICTURE_MESSAGE)

        # A message refused for a mistake in it does not count towards the limit.
        if not form.is_valid():
            return self.render_form(request, form)

        if not RateLimit.for_request(request).allows_one_more():
            form = self.get_form(initial=form.typed_values(), page=self, user=request.user)
            return self.render_form(request, form, problem=rate_limit_message(), status=429)

        if form.honeypot_filled:
            # A robot: answer as for a person, store and mail nothing.
            logger.info("Contact form: honeypot filled, message dropped")
            return self.render_landing_page(request, None, *args, **kwargs)

        submission = self.process_form_submission(form)
        return self.render_landing_page(request, submission, *args, **kwargs)

    def render_form(self, request, form, problem=None, notice=None, status=200):
        context = self.get_context(request)
        context.update(form=form, problem=problem, notice=notice)
        response = TemplateResponse(request, self.get_template(request), context, status=status)
        # Every rendering carries a new captcha and a CSRF token: never cache it.
        add_never_cache_headers(response)
        return response

    def render_landing_page(self, request, form_submission=None, *args, **kwargs):
        response = super().render_landing_page(request, form_submission, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def process_form_submission(self, form):
        """Store the message and queue the clinic's e-mail about it, in one transaction:
        both are saved or neither is. The task worker sends the mail (forms/tasks.py), so
        the patient's thank-you never waits for the mail server."""
        from .tasks import notify_clinic

        with transaction.atomic():
            submission = self.get_submission_class().objects.create(
                form_data=form.submission_data(), page=self
            )
            notify_clinic.enqueue(submission.pk)
        return submission

    def notification_addresses(self):
        return [address.strip() for address in self.to_address.split(",") if address.strip()]

    def notification_from_address(self):
        return self.from_address or settings.DEFAULT_FROM_EMAIL
