"""A fixed-window count of contact form submissions per client address, kept in the
default cache (Redis in production, so every app process shares the same count)."""

from django.conf import settings
from django.core.cache import cache

from base.client import client_address
from base.throttle import within_limit


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
        return within_limit(self.key, self.limit, self.window)

    def count(self):
        return cache.get(self.key, 0)
