from django.core.mail import get_connection
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clinical_review.reminders import REMINDER_INTERVAL, SendFailed, reminders_due, send


class Command(BaseCommand):
    help = (
        "E-mail each treatment's owner and the clinical reviewers the treatments whose medical "
        "review is overdue, due within 30 days or never done: one e-mail per person, each page "
        f"named to the same person at most once every {REMINDER_INTERVAL.days} days. "
        "Run it weekly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print who would get which pages; send and record nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        now = timezone.now()
        reminders = reminders_due(now)
        if not reminders:
            self.stdout.write("No review reminders to send.")
            return
        failed = []
        connection = None if dry_run else get_connection()
        for reminder in reminders:
            titles = "; ".join(page.title for page in reminder.pages)
            if dry_run:
                self.stdout.write(f"Would send to {reminder.address}: {titles}")
                continue
            try:
                send(reminder, connection, now)
            except SendFailed as error:
                failed.append(error)
                self.stderr.write(f"Not sent to {error}")
            else:
                self.stdout.write(f"Sent to {reminder.address}: {titles}")
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(reminders)} review reminders could not be sent (is the "
                "mail server up? see EMAIL_HOST and EMAIL_PORT). Nothing was recorded for them: "
                "the next run tries again."
            )
