"""The task worker's book-keeping: tasks left running by a worker that stopped, and the age of
the tasks still waiting for one.

django-tasks-db marks a task RUNNING when a worker takes it, and finished when the worker is
done with it. A worker that dies in between (killed, its machine lost, its database connection
cut while it recorded the result) leaves the task RUNNING for ever, and no worker takes it
again. Such a task is put back in the queue (READY), to be run again:

- by a worker starting under the same `--worker-id` as the one that left it (that worker is
  known to have stopped: two workers never share an id), and by a worker that carries on
  after a database error, for its own task;
- by any worker starting, and by `manage.py requeue_stuck_tasks` (scheduled), once the task
  has been running for ABANDONED_AFTER: far longer than any task of this site takes (sending
  one mail, updating the search index for one page, purging a CDN).

A task is therefore run at least once, and may run twice when a worker dies after its work
was done but before it recorded so. The contact form's mail is safe to run twice (see
forms/notifications.py: a message is never mailed twice by two processes at once)."""

import datetime
import logging

from django.db.models import Case, Count, F, Min, When
from django.db.models.functions import Greatest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# A task running for longer than this was left by a worker that stopped. Longer than the
# contact form's claim on a message (forms.notifications.CLAIM_TIMEOUT, 10 minutes), so that
# the mail task, run again, finds the message free to send.
ABANDONED_AFTER = datetime.timedelta(minutes=15)


def requeue_abandoned(worker_id=None, older_than=ABANDONED_AFTER):
    """Put back in the queue the tasks left RUNNING by a worker that stopped: those started
    more than `older_than` ago, and those last taken by `worker_id` (a worker starting under
    that id, or carrying on after an error: its previous run is over). Returns how many."""
    cutoff = timezone.now() - older_than
    running = DBTaskResult.objects.running().only("pk", "task_path", "started_at", "worker_ids")
    stuck = [
        task
        for task in running
        if (task.started_at is not None and task.started_at < cutoff)
        or (worker_id is not None and task.worker_ids and task.worker_ids[-1] == worker_id)
    ]
    requeued = 0
    for task in stuck:
        # Only while it is still RUNNING: a worker may have finished it meanwhile.
        if (
            DBTaskResult.objects.running()
            .filter(pk=task.pk, started_at=task.started_at)
            .update(status=TaskResultStatus.READY)
        ):
            requeued += 1
            taken_by = task.worker_ids[-1] if task.worker_ids else "an unknown worker"
            logger.warning(
                "Task %s (%s), left running by worker %s since %s, is queued to run again",
                task.pk,
                task.task_path,
                taken_by,
                task.started_at.isoformat() if task.started_at else "an unknown time",
            )
    return requeued


def stuck_tasks(older_than=ABANDONED_AFTER):
    """How many tasks have been running for longer than `older_than`."""
    cutoff = timezone.now() - older_than
    return DBTaskResult.objects.running().filter(started_at__lt=cutoff).count()


def waiting_tasks():
    """(number of tasks waiting for a worker, seconds the oldest has waited or None)."""
    now = timezone.now()
    # A task for later (run_after in the past) has waited since then; others since enqueued.
    since = Case(
        When(run_after__lte=now, then=Greatest(F("enqueued_at"), F("run_after"))),
        default=F("enqueued_at"),
    )
    found = DBTaskResult.objects.ready().aggregate(waiting=Count("pk"), oldest=Min(since))
    oldest = found["oldest"]
    age = max(0.0, round((now - oldest).total_seconds(), 1)) if oldest else None
    return found["waiting"], age
