"""The medical review of pages with clinical content: when a page was last reviewed, by whom
and when it is due again (MedicalReviewMixin), the "Clinical review" workflow task whose
approval records the review, and the reminders mailed when a review is due.

The page type under review is named by the CLINICAL_REVIEW_PAGE_MODEL setting (the treatment
page), so that this app needs no import of the app that defines it."""

import datetime

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import models, transaction
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import AbstractGroupApprovalTask
from wagtail.query import PageQuerySet

from .workflows import record_clinical_review


def reviewed_page_model():
    """The page type whose reviews are reported and reminded of (CLINICAL_REVIEW_PAGE_MODEL)."""
    return apps.get_model(settings.CLINICAL_REVIEW_PAGE_MODEL)


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
        """A ReviewStatus; the same rules as ReviewedPageQuerySet's review filters."""
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


class ReviewedPageQuerySet(PageQuerySet):
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
        permissions = [("approve_clinical_content", "Can approve treatments in clinical review")]


class ReviewReminder(models.Model):
    """The last reminder mailed to one person about one page's medical review (see the
    `send_review_reminders` command): a page is named to the same person at most once a week."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="review_reminders"
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
