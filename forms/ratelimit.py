"""A fixed-window count of contact form submissions per client address, kept in the
default cache (Redis in production, so every app process shares the same count)."""

import logging

from django.conf import settings
from django.core.cache import cache

from base.client import client_address

logger = logging.getLogger(__name__)


class RateLimit:
    def __init__(self, key, limit, window):
        self.key = key
        self.limit = limit
        self.window = window

    @classmethod
    def for_request(cls, request):
        return cls(
            cls.key_for(client_address(request)),
            settings.CONTACT_RATE_LIMIT,
            settings.CONTACT_RATE_WINDOW,
        )

    @staticmethod
    def key_for(address):
        return f"contact-form-rate:{address}"

    def allows_one_more(self):
        """Count one submission and return whether it is within the limit.

        When the cache cannot keep the count (Redis down), the submission is allowed and a
        warning logged: a message from a patient matters more than the limit."""
        # add() only sets the key (and starts the window) when it is missing; incr() is
        # atomic in Redis and in the local-memory cache.
        cache.add(self.key, 0, timeout=self.window)
        try:
            count = cache.incr(self.key)
            if count is None:  # Redis failed (django-redis ignores the error)
                raise ValueError(self.key)
        except ValueError:
            # The window ended between add() and incr(): this submission opens a new one.
            if not cache.add(self.key, 1, timeout=self.window):
                logger.warning(
                    "Contact form rate limit not applied: the cache did not keep the count"
                )
                return True
            count = 1
        return count <= self.limit

    def count(self):
        return cache.get(self.key, 0)
