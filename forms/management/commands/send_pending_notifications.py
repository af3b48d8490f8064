from django.core.management.base import BaseCommand, CommandError

from forms.models import ContactSubmission
from forms.notifications import FAILED, SENT, send_notification


class Command(BaseCommand):
    help = (
        "Send the clinic the e-mail notifications that could not be sent when the messages "
        "came in. Each is sent at most once: running the command again sends nothing twice."
    )

    def handle(self, *args, **options):
        pages = {}
        counts = {SENT: 0, FAILED: 0}
        pending = ContactSubmission.objects.pending().order_by("submit_time", "pk")
        for submission in pending.iterator():
            if submission.page_id not in pages:
                pages[submission.page_id] = submission.page.specific
            result = send_notification(submission, page=pages[submission.page_id])
            if result in counts:
                counts[result] += 1
            if result == FAILED:
                self.stderr.write(
                    f"Message {submission.pk} from {submission.submit_time:%Y-%m-%d %H:%M}: "
                    f"{submission.notification_error}"
                )
        self.stdout.write(f"Sent {counts[SENT]} pending notification(s).")
        if counts[FAILED]:
            raise CommandError(
                f"{counts[FAILED]} notification(s) could not be sent; they stay pending."
            )
