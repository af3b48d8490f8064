"""`manage.py db_worker`: django-tasks-db's task worker, which carries on when the database
goes away for a while, and runs again the tasks a stopped worker left running.

It takes the place of django-tasks-db's own `db_worker` (this app comes before
django_tasks_db in INSTALLED_APPS, which is how Django lets a project extend another app's
command), with the same options. django-tasks-db's worker stops at the first database error
(PostgreSQL restarting, a failover, a connection cut), leaving the task it was running marked
RUNNING. Here the worker is started again in the same process, after a wait that grows from
one second to ten while the database cannot be reached; once it can, the task this worker was
running is put back in the queue and run again. At start-up, tasks that another worker left
RUNNING are put back too: those of a previous run under the same `--worker-id`, and those
running for longer than base.worker.ABANDONED_AFTER (15 minutes).

It stops on SIGTERM or Ctrl-C as django-tasks-db's worker does (after the task it is running),
and when `--batch` or `--max-tasks` says so. Any other error stops it with a traceback, for
the service manager (systemd: Restart=on-failure) to start it again. With `--reload` (the
default when DEBUG is on, as `make run`) it is django-tasks-db's worker alone: the reloader
runs it in another process."""

import logging
import signal
import sys
import time

from django.db import Error as DatabaseError
from django.db import connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from base.worker import requeue_abandoned

logger = logging.getLogger("base.worker")

# Seconds between two tries while the database cannot be reached: doubling from the first to
# the last. A worker that ran for longer than RESET_AFTER before its error starts again at the
# first.
FIRST_WAIT = 1
LAST_WAIT = 10
RESET_AFTER = 60


class Command(db_worker.Command):
    help = (
        "Run the task worker (django-tasks-db's db_worker, with the same options). After a "
        "database error it waits and starts again, and runs again the task it was running; "
        "at start-up it re-queues the tasks that a stopped worker left running (those of a "
        "previous run under the same --worker-id, and those running for over 15 minutes)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # No id given: a random one, as django-tasks-db's worker takes. One given (the same
        # at each start, e.g. in a systemd unit) also tells which tasks its previous run left.
        parser.set_defaults(worker_id=None)

    def handle(self, *args, **options):
        named = options["worker_id"] is not None
        if not named:
            options["worker_id"] = get_random_string(32)
        if options["reload"]:
            return super().handle(*args, **options)
        worker_id = options["worker_id"]
        wait = FIRST_WAIT
        failed = False
        while True:
            started = time.monotonic()
            try:
                requeue_abandoned(worker_id=worker_id if named or failed else None)
                super().handle(*args, **options)
                return
            except DatabaseError as error:
                failed = True
                if time.monotonic() - started > RESET_AFTER:
                    wait = FIRST_WAIT
                logger.warning(
                    "The task worker lost the database (%s: %s); starting again in %s s",
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                    wait,
                )
                self.forget_connections()
                self.pause(wait)
                wait = min(wait * 2, LAST_WAIT)

    @staticmethod
    def forget_connections():
        """Close the broken connections: the next query connects afresh."""
        try:
            connections.close_all()
        except DatabaseError:
            pass

    @staticmethod
    def pause(seconds):
        """Sleep, stopping at once on SIGTERM or Ctrl-C (the worker installs its own
        handlers again when it starts)."""

        def stop(signum, frame):
            logger.warning("Received %s - stopping.", signal.strsignal(signum))
            sys.exit(0)

        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, stop)
        time.sleep(seconds)
