"""Settings of the servers `make bench` measures: the production settings as they are, with
two additions for the benchmark only.

- `ROOT_URLCONF` is bench/urls.py: the site's URLs behind one more, the minimal view that
  serves as the ceiling (same middleware, same server).
- `BENCH_CACHES_OFF=1` makes every cache a dummy that keeps nothing, for the "uncached" rows:
  Wagtail's page cache ({% wagtailpagecache %}), its site and settings lookups, and any cache
  built on Django's cache framework (a whole-response cache included) miss on every request.

The environment supplies the rest, as in production (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL); bench/run.py sets it for each run.
"""

import os

from clinic_site.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

CACHES_OFF = os.environ.get("BENCH_CACHES_OFF", "") == "1"
if CACHES_OFF:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
