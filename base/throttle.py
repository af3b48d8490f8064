"""Counting requests per key in a fixed window, in the default cache (Redis in production,
shared by every app process): for limits that must hold across processes."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def count_one_more(key, window):
    """Count one more request under `key`, in a window of `window` seconds that starts with
    the first; return the count so far, or None when the cache could not keep it (Redis
    down: django-redis answers a failed call with None)."""
    # add() only sets the key (and starts the window) when it is missing; incr() is atomic in
    # Redis and in the local-memory cache.
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
        if count is None:
            raise ValueError(key)
    except ValueError:
        # The window ended between add() and incr(): this request opens a new one.
        if not cache.add(key, 1, timeout=window):
            logger.warning("Rate limit not applied: the cache did not keep the count of %s", key)
            return None
        count = 1
    return count


def within_limit(key, limit, window):
    """Count one more request under `key` and say whether it is within `limit` per window.
    When the cache cannot count, the request is allowed (and a warning logged)."""
    count = count_one_more(key, window)
    return count is None or count <= limit
