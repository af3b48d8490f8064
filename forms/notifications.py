"""The clinic's e-mail about a contact message: built, sent and recorded in one place, for
the task worker (forms/tasks.py, right after a message is stored) and for
`send_pending_notifications`.

Delivery is at least once: a message is marked sent only after the mail server accepted it.
A process claims a message before sending it, so two processes never send it at the same
time; a claim older than CLAIM_TIMEOUT belongs to a process that died (or hung) while
sending, and is taken over. A duplicate can still reach the clinic when a process dies after
the mail server accepted the message but before recording it, or when sending takes longer
than CLAIM_TIMEOUT."""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

logger = logging.getLogger(__name__)

# A claim older than this is taken to belong to a process that died while sending. Far
# longer than a send can take with EMAIL_TIMEOUT on each step of the SMTP conversation.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)

SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"

DEFAULT_SUBJECT = "New message from the website"


class NoRecipients(Exception):
    pass


def claim(submission):
    """Mark the submission as being sent by this process, unless it has been sent already
    or another process is sending it. One UPDATE, so two processes cannot both win."""
    now = timezone.now()
    claimed = (
        type(submission)
        .objects.filter(pk=submission.pk, notification_sent_at__isnull=True)
        .filter(
            Q(notification_claimed_at__isnull=True)
            | Q(notification_claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(notification_claimed_at=now)
    )
    return claimed == 1


def send_notification(submission, page=None):
    """Try once to mail the clinic about `submission` and record the outcome on it.

    Returns SENT, FAILED (the error is recorded; the submission stays pending) or SKIPPED
    (already sent, or being sent by another process)."""
    if not claim(submission):
        return SKIPPED
    model = type(submission)
    attempts = submission.notification_attempts + 1
    try:
        page = page or submission.page.specific
        message = build_notification(submission, page)
        if message.send() != 1:
            raise RuntimeError("the mail backend did not send the message")
    except Exception as error:  # noqa: BLE001 - any failure leaves the message pending
        logger.exception("Contact form notification %s failed", submission.pk)
        description = f"{type(error).__name__}: {error}"[:2000]
        model.objects.filter(pk=submission.pk).update(
            notification_error=description,
            notification_attempts=F("notification_attempts") + 1,
            notification_claimed_at=None,
        )
        submission.notification_error = description
        submission.notification_attempts = attempts
        submission.notification_claimed_at = None
        return FAILED
    sent_at = timezone.now()
    model.objects.filter(pk=submission.pk).update(
        notification_sent_at=sent_at,
        notification_error="",
        notification_attempts=F("notification_attempts") + 1,
        notification_claimed_at=None,
    )
    submission.notification_sent_at = sent_at
    submission.notification_error = ""
    submission.notification_attempts = attempts
    submission.notification_claimed_at = None
    return SENT


def build_notification(submission, page):
    recipients = page.notification_addresses()
    if not recipients:
        raise NoRecipients("the contact page has no address to send notifications to")
    fields = list(page.get_form_fields())
    data = submission.form_data
    reply_to = [
        data[field.clean_name]
        for field in fields
        if field.field_type == "email" and data.get(field.clean_name)
    ][:1]
    subject = " ".join((page.subject or DEFAULT_SUBJECT).split())
    return EmailMessage(
        subject=subject,
        body=notification_body(submission, page, fields),
        from_email=page.notification_from_address(),
        to=recipients,
        reply_to=reply_to,
    )


def format_value(value):
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if value is None or value == "":
        return "(not given)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def notification_body(submission, page, fields):
    """Plain text: whatever the person typed is shown as typed, never as markup."""
    data = dict(submission.form_data)
    submitted = date_format(timezone.localtime(submission.submit_time), "DATETIME_FORMAT")
    lines = [
        f"A message was sent with the form on {page.full_url or page.url}",
        f"Sent: {submitted}",
        "",
    ]
    for field in fields:
        value = data.pop(field.clean_name, None)
        lines.append(f"{field.label}:")
        lines.extend(f"    {line}" for line in format_value(value).splitlines() or [""])
        lines.append("")
    for name, value in data.items():  # answers to fields removed since
        lines.append(f"{name}:")
        lines.extend(f"    {line}" for line in format_value(value).splitlines() or [""])
        lines.append("")
    lines.append("Reply to this e-mail to answer the sender.")
    admin_url = reverse("wagtailforms:list_submissions", args=[page.pk])
    lines.append(f"All messages: {settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{admin_url}")
    return "\n".join(lines) + "\n"
