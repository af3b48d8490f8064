import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]

# Creating, flushing and dropping test databases may take longer than the site's statement
# timeout; the servers the tests start use the production settings, timeout included.
if "options" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
# Nor does the test process cut off a request's slow query (base/database.py): without the
# statement timeout, a query may wait for a lock the test holds. The servers the tests start
# use the production settings, the wait limit included (tests/test_hung_database.py).
DATABASE_WAIT_LIMIT = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The browser tests' live server answers from several threads at once (the admin's
    # autosave while a person presses Save): an in-memory database shared between threads
    # then fails at once with "database table is locked", where a file waits its turn.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"clinic-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Each test run gets a clean cache: local memory, or Redis when REDIS_URL is set.
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_TIMEOUT = 3

# Tasks run inside the request, so a test sees their effect at once. The tests of the worker
# itself (tests/test_mail_worker.py) run the real worker under the production settings.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The login throttle is off: tests log in with Client.login(), which gives django-axes no
# request to check. The tests of the throttle (tests/test_hardening.py) turn it on.
AXES_ENABLED = False
