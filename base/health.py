"""/healthz: whether this app process can serve, for load balancers and monitoring.

Answers 200 when the database answers, and 503 when it does not (a load balancer then sends
visitors to another process, or shows its own page). The cache and the task queue are
reported but do not make it fail: the site serves without Redis (more slowly), and a worker
that is behind does not stop pages being served. The answer names nothing about the
deployment (no host, port, version or error text): the reasons go to the log.

It waits on the database no longer than a page does (DATABASE_CONNECT_TIMEOUT to connect,
DATABASE_STATEMENT_TIMEOUT to answer), and is never cached: PAGE_CACHE_EXCLUDED_PATHS lists it,
and it is sent `Cache-Control: no-store`."""

import logging

from django.core.cache import cache
from django.db import Error as DatabaseError
from django.db import connection
from django.http import JsonResponse
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

from base.worker import ABANDONED_AFTER, stuck_tasks, waiting_tasks

logger = logging.getLogger(__name__)

OK = "ok"
UNAVAILABLE = "unavailable"


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check: the database does not answer: %s", error)
        return False
    return True


def cache_answers():
    """Whether the cache keeps a value and gives it back (django-redis, ignoring errors,
    answers a failed call as a miss)."""
    key = f"healthz:{get_random_string(16)}"
    value = get_random_string(16)
    try:
        cache.set(key, value, timeout=10)
        kept = cache.get(key) == value
        cache.delete(key)
    except Exception:  # noqa: BLE001 - any cache failure is "unavailable"
        logger.warning("Health check: the cache failed", exc_info=True)
        return False
    if not kept:
        logger.warning("Health check: the cache did not keep a value")
    return kept


def task_queue():
    try:
        waiting, oldest = waiting_tasks()
        stuck = stuck_tasks()
    except DatabaseError as error:
        logger.warning("Health check: the task queue could not be read: %s", error)
        return None
    return {
        "waiting": waiting,
        "oldest_waiting_seconds": oldest,
        f"running_over_{ABANDONED_AFTER.seconds // 60}_minutes": stuck,
    }


@never_cache
def healthz(request):
    database = database_answers()
    answer = {
        "status": OK if database else UNAVAILABLE,
        "database": OK if database else UNAVAILABLE,
        "cache": OK if cache_answers() else UNAVAILABLE,
        "tasks": task_queue() if database else None,
    }
    return JsonResponse(answer, status=200 if database else 503)
