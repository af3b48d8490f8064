"""Settings of the site's servers in `make bench`: the production settings as they are, with
one addition for the benchmark only.

- `BENCH_CACHES_OFF=1` makes every cache a dummy that keeps nothing, for the "every cache
  off" row: the whole-page cache (pagecache/), Wagtail's site and settings lookups, and any
  other cache built on Django's cache framework miss on every request.

The environment supplies the rest, as in production (SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL,
REDIS_URL); bench/run.py sets it for each server. The bench's ceiling, the bare view, has
settings of its own (bench/bare_settings.py).
"""

import os

from clinic_site.settings.production import *  # noqa: F403

CACHES_OFF = os.environ.get("BENCH_CACHES_OFF", "") == "1"
if CACHES_OFF:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
