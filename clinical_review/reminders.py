"""Reminders of medical reviews that are due: one e-mail to each person concerned, listing
their treatments whose review is overdue, due within 30 days, or never done.

Who is concerned with a page: its owner, and the clinical reviewers (users who hold the review
permission themselves or through a group; superusers as such are not mailed), if active and
with an e-mail address. A page is named to the same person at most once in
REMINDER_INTERVAL: each reminder sent is recorded, and only after the mail server accepted it,
so a failed send is tried again on the next run.
"""

import datetime
import smtplib
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .models import REVIEW_DUE_SOON_DAYS, ReviewReminder, reviewed_page_model
from .workflows import REVIEW_PERMISSION

REMINDER_INTERVAL = datetime.timedelta(days=7)


@dataclass
class Reminder:
    """What one person is reminded of: their pages, in the mail's three lists."""

    recipient: object
    overdue: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    not_reviewed: list = field(default_factory=list)

    @property
    def pages(self):
        return [*self.overdue, *self.due_soon, *self.not_reviewed]

    @property
    def address(self):
        name = self.recipient.get_full_name()
        return f"{name} <{self.recipient.email}>" if name else self.recipient.email


def clinical_reviewers():
    return (
        get_user_model()
        .objects.with_perm(
            REVIEW_PERMISSION,
            is_active=True,
            include_superusers=False,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .exclude(email="")
    )


def may_be_mailed(user):
    return user is not None and user.is_active and bool(user.email)


def reminders_due(now=None):
    """The reminders to send now, one per person, in order of e-mail address; each lists only
    the pages not named to that person within REMINDER_INTERVAL."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pages = reviewed_page_model().objects
    due = (
        pages.review_due(REVIEW_DUE_SOON_DAYS, today)
        .select_related("owner")
        .order_by("next_review_due", "title")
    )
    overdue = set(pages.review_overdue(today).filter(pk__in=due).values_list("pk", flat=True))
    reviewers = list(clinical_reviewers())
    recent = set(
        ReviewReminder.objects.filter(sent_at__gt=now - REMINDER_INTERVAL).values_list(
            "page_id", "recipient_id"
        )
    )
    reminders = {}
    for page in due:
        recipients = [*reviewers, page.owner] if may_be_mailed(page.owner) else reviewers
        for user in recipients:
            if (page.pk, user.pk) in recent:
                continue
            reminder = reminders.setdefault(user.pk, Reminder(user))
            if page in reminder.pages:
                continue  # the owner is a reviewer too
            if page.pk in overdue:
                reminder.overdue.append(page)
            elif page.last_reviewed is None:
                reminder.not_reviewed.append(page)
            else:
                reminder.due_soon.append(page)
    return sorted(reminders.values(), key=lambda reminder: reminder.recipient.email.lower())


def edit_url(page):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "wagtailadmin_pages:edit", args=[page.pk]
    )


def reminder_message(reminder, connection=None):
    count = len(reminder.pages)
    context = {
        "reminder": reminder,
        "name": reminder.recipient.get_full_name() or reminder.recipient.get_username(),
        "lists": [
            (heading, verb, [(page, edit_url(page)) for page in pages])
            for heading, verb, pages in [
                ("Overdue", "was due", reminder.overdue),
                (f"Due within {REVIEW_DUE_SOON_DAYS} days", "is due", reminder.due_soon),
                ("Not reviewed yet", "", reminder.not_reviewed),
            ]
        ],
        "interval_days": REMINDER_INTERVAL.days,
    }
    return EmailMessage(
        subject=f"{count} treatment{'' if count == 1 else 's'} due for medical review",
        body=render_to_string("clinical_review/emails/review_reminder.txt", context),
        to=[reminder.address],
        connection=connection,
    )


class SendFailed(Exception):
    def __init__(self, reminder, error):
        super().__init__(f"{reminder.address}: {error}")
        self.reminder = reminder


def send(reminder, connection=None, now=None):
    """Mail one reminder and, once the mail server has accepted it, record it for each page.
    Raises SendFailed (and records nothing) when the mail could not be sent."""
    try:
        reminder_message(reminder, connection).send()
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(reminder, error) from error
    now = now or timezone.now()
    with transaction.atomic():
        for page in reminder.pages:
            ReviewReminder.objects.update_or_create(
                page=page, recipient=reminder.recipient, defaults={"sent_at": now}
            )
