"""A fixed-window count of contact form submissions per client address, kept in the
default cache (Redis in production, so every app process shares the same count)."""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_address(request):
    """The address of the person sending the request.

    Without a proxy it is the address that connected (REMOTE_ADDR). Behind
    TRUSTED_PROXY_COUNT proxies, each proxy appends the address it received the request from
    to X-Forwarded-For, so the client is that many entries from the right (the last proxy
    itself is REMOTE_ADDR). Entries further left were written by the client and may be
    forged: they are never used."""
    hops = [
        address.strip()
        for address in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if address.strip()
    ]
    hops.append(request.META.get("REMOTE_ADDR") or "unknown")
    proxies = settings.TRUSTED_PROXY_COUNT
    return hops[-1 - proxies] if len(hops) > proxies else hops[0]


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
