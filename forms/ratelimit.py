"""A fixed-window count of contact form submissions per client address, kept in the
default cache (Redis in production, so every app process shares the same count)."""

from django.conf import settings
from django.core.cache import cache


class RateLimit:
    def __init__(self, key, limit, window):
        self.key = key
        self.limit = limit
        self.window = window

    @classmethod
    def for_request(cls, request):
        # REMOTE_ADDR is the address that connected to Django: behind a reverse proxy, the
        # proxy must pass the client's address on (e.g. gunicorn's forwarded-allow-ips).
        address = request.META.get("REMOTE_ADDR") or "unknown"
        return cls(cls.key_for(address), settings.CONTACT_RATE_LIMIT, settings.CONTACT_RATE_WINDOW)

    @staticmethod
    def key_for(address):
        return f"contact-form-rate:{address}"

    def hit(self):
        """Count one submission; True while the count is within the limit."""
        # add() only sets the key (and starts the window) when it is missing; incr() is
        # atomic in Redis and in the local-memory cache.
        cache.add(self.key, 0, timeout=self.window)
        try:
            count = cache.incr(self.key)
        except ValueError:
            # The window ended between add() and incr(): this submission opens a new one.
            cache.add(self.key, 1, timeout=self.window)
            count = 1
        return count <= self.limit

    def count(self):
        return cache.get(self.key, 0)
