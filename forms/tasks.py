"""The contact form's background task, run by the task worker (`manage.py db_worker`), so
that a patient's request never waits for the mail server."""

from django_tasks import task


@task()
def notify_clinic(submission_id):
    """Mail the clinic about one stored message; returns "sent", "failed" (it stays pending
    for `send_pending_notifications`) or "skipped" (sent already, or being sent)."""
    from .models import ContactSubmission
    from .notifications import send_notification

    submission = ContactSubmission.objects.filter(pk=submission_id).first()
    if submission is None:  # deleted before the worker came to it
        return "skipped"
    return send_notification(submission)
