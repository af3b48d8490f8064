"""Django's Redis cache, made to serve the site when Redis fails.

Everything the site keeps in the cache can be rebuilt from the database (Wagtail's page and
site caches, the contact form's rate-limit counts), so a Redis that refuses connections, hangs
or times out is treated as an empty cache: reads miss, writes are dropped, and a warning is
logged. After a failure the cache is skipped for `RETRY_AFTER` seconds, so that a hung Redis
costs a request at most one socket timeout, not one per cache call."""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds to serve without the cache after it failed, before trying it again.
RETRY_AFTER = 5.0


class CacheUnavailable(Exception):
    pass


class _Outage:
    """When this process last found Redis failing (shared by every thread)."""

    lock = threading.Lock()
    until = 0.0

    @classmethod
    def check(cls):
        if time.monotonic() < cls.until:
            raise CacheUnavailable

    @classmethod
    def start(cls, error):
        with cls.lock:
            cls.until = time.monotonic() + RETRY_AFTER
        logger.warning(
            "The cache is unavailable (%s: %s); serving from the database for %g s",
            type(error).__name__,
            error,
            RETRY_AFTER,
        )


def _tolerant(on_failure):
    """Run a cache call; if Redis fails (or failed a moment ago) return `on_failure(args)`."""

    def wrap(method):
        def call(self, *args):
            try:
                _Outage.check()
                return method(self, *args)
            except CacheUnavailable:
                pass
            except RedisError as error:
                _Outage.start(error)
            return on_failure(*args)

        call.__name__ = method.__name__
        return call

    return wrap


def _missing_key(key, delta):
    # What Django's incr() raises for a key that is not in the cache.
    raise ValueError(f"Key '{key}' not found (the cache is unavailable)")


class FaultTolerantRedisCacheClient(RedisCacheClient):
    add = _tolerant(lambda key, value, timeout: False)(RedisCacheClient.add)
    get = _tolerant(lambda key, default: default)(RedisCacheClient.get)
    set = _tolerant(lambda key, value, timeout: None)(RedisCacheClient.set)
    touch = _tolerant(lambda key, timeout: False)(RedisCacheClient.touch)
    delete = _tolerant(lambda key: False)(RedisCacheClient.delete)
    get_many = _tolerant(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _tolerant(lambda key: False)(RedisCacheClient.has_key)
    incr = _tolerant(_missing_key)(RedisCacheClient.incr)
    set_many = _tolerant(lambda data, timeout: None)(RedisCacheClient.set_many)
    delete_many = _tolerant(lambda keys: None)(RedisCacheClient.delete_many)
    clear = _tolerant(lambda: False)(RedisCacheClient.clear)


class FaultTolerantRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` that treats Redis failures as misses.
    Give it connect and socket timeouts in OPTIONS (see settings)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FaultTolerantRedisCacheClient
