"""No request waits long on a database that stopped answering.

PostgreSQL cancels a statement that runs too long (DATABASE_STATEMENT_TIMEOUT), and a new
connection gives up after DATABASE_CONNECT_TIMEOUT; but a server that hangs (a stalled disk,
a frozen virtual machine, a stopped process) answers neither, and its kernel keeps the
connection open, so a kept connection (CONN_MAX_AGE) waits on it for ever. Here each request
thread is watched while it waits on the database: from the start of the request until its
first query has been answered (the check of a kept connection comes first), then during each
query. One that has waited DATABASE_WAIT_LIMIT milliseconds has its connection's socket shut down:
the waiting call fails at once, as for any lost connection, and the visitor gets the "Website
temporarily unavailable" page (base/errors.py). Django then drops the connection, and the next
request connects afresh, which gives up after DATABASE_CONNECT_TIMEOUT while the server still
hangs and succeeds once it answers again."""

import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

# How often the watch looks at the waiting threads, in seconds.
WATCH_INTERVAL = 0.1


def shut_down_socket(database):
    """Shut down the socket of `database`'s open connection (a DatabaseWrapper), so that a
    call waiting on it returns with an error."""
    raw = database.connection
    if raw is None:
        return
    try:
        duplicate = socket.socket(fileno=os.dup(raw.fileno()))
    except (OSError, ValueError):
        return  # closed meanwhile
    with duplicate:
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Watch:
    """The request threads now waiting on the database, each with its deadline."""

    def __init__(self, limit):
        self.limit = limit
        self.lock = threading.Lock()
        self.waiting = {}  # thread id: (deadline, database wrapper)
        self.thread = None

    def start(self, database):
        """The current thread starts waiting on `database` (a DatabaseWrapper)."""
        self.waiting[threading.get_ident()] = (time.monotonic() + self.limit, database)
        if self.thread is None:
            with self.lock:
                if self.thread is None:
                    self.thread = threading.Thread(
                        target=self.run, name="database-wait-limit", daemon=True
                    )
                    self.thread.start()

    def stop(self):
        self.waiting.pop(threading.get_ident(), None)

    def run(self):
        while True:
            time.sleep(WATCH_INTERVAL)
            now = time.monotonic()
            for ident, (deadline, database) in list(self.waiting.items()):
                if now >= deadline and self.waiting.get(ident, (None,))[0] == deadline:
                    self.waiting.pop(ident, None)
                    logger.error(
                        "The database has not answered for %g s: connection cut off",
                        self.limit,
                    )
                    shut_down_socket(database)


class DatabaseWaitLimitMiddleware:
    """Watches each request's waits on the default database (PostgreSQL only: SQLite is a
    file, read in the process). Through Django's documented execute_wrapper(), each query
    is watched from its start until it is answered."""

    def __init__(self, get_response):
        self.get_response = get_response
        database = connections[DEFAULT_DB_ALIAS]
        self.watch = None
        limit = settings.DATABASE_WAIT_LIMIT  # whole milliseconds (base/checks.py)
        if database.vendor == "postgresql" and isinstance(limit, int) and limit > 0:
            self.watch = Watch(limit / 1000)

    def __call__(self, request):
        if self.watch is None:
            return self.get_response(request)
        database = connections[DEFAULT_DB_ALIAS]
        self.watch.start(database)  # until the first query: the kept connection's check
        try:
            with database.execute_wrapper(self.watched_query):
                return self.get_response(request)
        finally:
            self.watch.stop()

    def watched_query(self, execute, sql, params, many, context):
        self.watch.start(context["connection"])
        try:
            return execute(sql, params, many, context)
        finally:
            self.watch.stop()
