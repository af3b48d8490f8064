import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission

from forms.models import ContactSubmission


class Command(BaseCommand):
    help = (
        "Delete form submissions older than the retention period "
        "(settings.FORM_SUBMISSION_RETENTION_DAYS, 365 days unless set)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of FORM_SUBMISSION_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many submissions would be deleted.",
        )

    def handle(self, *args, days=None, dry_run=False, **options):
        if days is None:
            days = getattr(settings, "FORM_SUBMISSION_RETENTION_DAYS", 365)
        if days < 1:
            raise CommandError("The retention period must be at least one day.")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        total = 0
        unsent = ContactSubmission.objects.pending().filter(submit_time__lt=cutoff).count()
        for model in (ContactSubmission, FormSubmission):
            old = model.objects.filter(submit_time__lt=cutoff)
            count = old.count()
            if count and not dry_run:
                old.delete()
            total += count
        when = cutoff.strftime("%Y-%m-%d %H:%M")
        if dry_run:
            self.stdout.write(f"Would delete {total} submission(s) from before {when} (dry run).")
        else:
            self.stdout.write(f"Deleted {total} submission(s) from before {when}.")
        if unsent:
            self.stdout.write(f"{unsent} of them had not been notified to the clinic by e-mail.")
