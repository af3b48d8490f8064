from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from forms.models import ContactSubmission
from forms.notifications import CLAIM_TIMEOUT, FAILED, SENT, SKIPPED, send_notification


def when(moment):
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


class Command(BaseCommand):
    help = (
        "Send the clinic the e-mail notifications still pending: those the mail server "
        "refused or that no worker sent, and those claimed by a worker that stopped more "
        f"than {CLAIM_TIMEOUT.seconds // 60} minutes ago. A message is never sent twice by "
        "two processes at once; run it from a scheduler every few minutes."
    )

    def handle(self, *args, **options):
        pages = {}
        counts = {SENT: 0, FAILED: 0}
        pending = ContactSubmission.objects.pending().order_by("submit_time", "pk")
        for submission in pending.iterator():
            if submission.page_id not in pages:
                pages[submission.page_id] = submission.page.specific
            claimed_at = submission.notification_claimed_at
            result = send_notification(submission, page=pages[submission.page_id])
            if result in counts:
                counts[result] += 1
            label = f"Message {submission.pk} from {when(submission.submit_time)}"
            if result == FAILED:
                self.stderr.write(f"{label}: {submission.notification_error}")
            elif result == SENT and claimed_at:
                self.stdout.write(
                    f"{label}: claimed by a worker at {when(claimed_at)} that never sent it; "
                    "sent now."
                )
            elif result == SKIPPED and claimed_at:
                self.stderr.write(
                    f"{label}: claimed by a worker at {when(claimed_at)} and not sent yet. "
                    "If that worker stopped, the message is sent by this command from "
                    f"{when(claimed_at + CLAIM_TIMEOUT)}."
                )
        self.stdout.write(f"Sent {counts[SENT]} pending notification(s).")
        if counts[FAILED]:
            raise CommandError(
                f"{counts[FAILED]} notification(s) could not be sent; they stay pending."
            )
