from django.core.management.base import BaseCommand

from base.worker import ABANDONED_AFTER, requeue_abandoned


class Command(BaseCommand):
    help = (
        "Put back in the queue the background tasks that a stopped task worker left running "
        f"(marked running for more than {ABANDONED_AFTER.seconds // 60} minutes), so that a "
        "worker runs them again. Workers do the same when they start; run this from a "
        "scheduler every 10 minutes for a worker that does not come back."
    )

    def handle(self, *args, **options):
        count = requeue_abandoned()
        self.stdout.write(f"Queued {count} stuck task(s) to run again.")
