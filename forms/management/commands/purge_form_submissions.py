import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from wagtail.contrib.forms.models import FormSubmission

from forms.checks import MAX_RETENTION_DAYS
from forms.models import ContactSubmission


class Command(BaseCommand):
    help = (
        "Delete form submissions older than the retention period "
        "(settings.FORM_SUBMISSION_RETENTION_DAYS, 365 days unless set). Contact messages "
        "the clinic was never sent by e-mail are kept unless --include-unsent is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep this many days (1 to {MAX_RETENTION_DAYS}) instead of "
            "FORM_SUBMISSION_RETENTION_DAYS.",
        )
        parser.add_argument(
            "--include-unsent",
            action="store_true",
            help="Also delete old contact messages that were never sent to the clinic.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only say how many submissions would be deleted.",
        )

    def handle(self, *args, days=None, include_unsent=False, dry_run=False, **options):
        if days is None:
            days = getattr(settings, "FORM_SUBMISSION_RETENTION_DAYS", 365)
        if not 1 <= days <= MAX_RETENTION_DAYS:
            # 0 would delete every message at once; a negative or huge number is a typing
            # mistake (and past the range of dates).
            raise CommandError(
                f"The retention period must be from 1 to {MAX_RETENTION_DAYS} days (got {days})."
            )
        cutoff = timezone.now() - datetime.timedelta(days=days)
        contact = ContactSubmission.objects.filter(submit_time__lt=cutoff)
        unsent = contact.pending()
        kept = 0 if include_unsent else unsent.count()
        if not include_unsent:
            contact = contact.exclude(pk__in=unsent.values("pk"))
        total = 0
        for old in (contact, FormSubmission.objects.filter(submit_time__lt=cutoff)):
            count = old.count()
            if count and not dry_run:
                old.delete()
            total += count
        when = cutoff.strftime("%Y-%m-%d %H:%M")
        if dry_run:
            self.stdout.write(f"Would delete {total} submission(s) from before {when} (dry run).")
        else:
            self.stdout.write(f"Deleted {total} submission(s) from before {when}.")
        if kept:
            self.stdout.write(
                f"Kept {kept} older message(s) the clinic was never sent: send them with "
                "send_pending_notifications, or delete them too with --include-unsent."
            )
