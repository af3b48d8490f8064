"""Settings shared by every environment. Secrets and hosts come from the environment."""

import datetime
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE


def env_int(name, default):
    """A whole number from the environment (ASCII digits, perhaps after a sign). A value that
    is not one (`587x`, `smtp`) is kept as it is, for the start-up checks (base/checks.py,
    forms/checks.py) to name it, rather than failing here with a traceback."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return int(value) if re.fullmatch(r"[+-]?[0-9]+", value) else value


def env_float(name, default):
    """A number from the environment, such as 0.25 (ASCII digits and one point). A value that
    is not one is kept as it is, for the start-up checks (base/checks.py) to name it."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    return float(value) if re.fullmatch(r"[0-9]+(\.[0-9]*)?|\.[0-9]+", value) else value


PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

# The site's own apps, top floor first: each imports only those listed after it
# (tests/test_architecture.py).
INSTALLED_APPS = [
    "home",
    "search",
    "forms",
    "procedures",
    "practitioners",
    "clinical_review",
    "locations",
    "pagecache",
    "base",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail_modeladmin",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "captcha",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
]

MIDDLEWARE = [
    # No request waits long on a database that hangs (DATABASE_WAIT_LIMIT).
    "base.database.DatabaseWaitLimitMiddleware",
    # Whole public pages for visitors without a session, first: a hit is answered with the
    # headers every middleware below gave the page when it was kept (security headers,
    # content security and permissions policies), without running any of them again.
    "pagecache.middleware.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "base.middleware.ContentSecurityPolicyMiddleware",
    "base.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a form post's body: one that cannot be decoded gets a 400.
    "base.middleware.RefuseUnreadableFormDataMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a login refused for earlier failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic_site.wsgi.application"

# SQLite beside manage.py unless DATABASE_URL names another database (PostgreSQL in production,
# which requires it). A DATABASE_URL that cannot be read gives Django's dummy database, which
# refuses every query, and the start-up checks (base/checks.py) name it.
DATABASE_URL = os.environ.get("DATABASE_URL")
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 0)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            f"sqlite:///{BASE_DIR / 'db.sqlite3'}" if DATABASE_URL is None else DATABASE_URL,
            conn_max_age=DATABASE_CONN_MAX_AGE if isinstance(DATABASE_CONN_MAX_AGE, int) else 0,
        )
    }
except ValueError:
    DATABASES = {"default": {"ENGINE": "django.db.backends.dummy"}}
# A database that stops answering must not hold a visitor for long: PostgreSQL gives up
# connecting after DATABASE_CONNECT_TIMEOUT seconds (2 at least) and cancels any statement
# running longer than DATABASE_STATEMENT_TIMEOUT milliseconds (0 turns it off, e.g. for a
# long migration); the visitor then gets the 503 page (base/errors.py).
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 2)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 2500)
# A server that hangs answers neither: a request that has waited DATABASE_WAIT_LIMIT
# milliseconds on one query (or on its first, with the check of a kept connection) has its
# connection cut off and gets the 503 page (base/database.py): with the new connection that
# Django then tries (DATABASE_CONNECT_TIMEOUT), within 5 s. A little above the statement
# timeout, which ends a slow statement on a server that answers; 0 turns it off.
DATABASE_WAIT_LIMIT = env_int("DATABASE_WAIT_LIMIT", 2700)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=DATABASE_CONNECT_TIMEOUT,
        # JIT compilation off: a page's queries are short, and compiling them costs far more
        # (half a second for the Site lookup's joins where the planner guesses large tables).
        options=f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT} -c jit=off",
    )
    # Prepared statements: a query that a connection has run twice is planned once and kept
    # (psycopg sends parameters apart from the SQL, server-side binding). Every page runs the
    # same few queries, and PostgreSQL took longer to plan them than to run them. Set
    # DATABASE_PREPARED_STATEMENTS=off behind a pooler that cannot keep them (PgBouncer in
    # transaction mode before 1.21, or without max_prepared_statements).
    if os.environ.get("DATABASE_PREPARED_STATEMENTS", "on").lower() != "off":
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=2)

# A Redis cache when REDIS_URL is set (shared by every app process); otherwise local memory.
# A Redis that refuses or hangs is treated as an empty cache (django-redis's IGNORE_EXCEPTIONS,
# each failure logged): a call waits at most REDIS_TIMEOUT seconds, and the site serves from
# the database meanwhile.
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 0.25)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "clinic"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "clinic",
        }
    }

# Whole public pages kept for visitors without a session (pagecache/middleware.py), in the
# default cache for PAGE_CACHE_SECONDS; any change a page shows makes them all out of date at
# once (pagecache/signals.py). Browsers may keep a page BROWSER_CACHE_SECONDS, a CDN
# CDN_CACHE_SECONDS (it is purged on changes when FRONTEND_CACHE_* is set: production.py).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 3600)
BROWSER_CACHE_SECONDS = env_int("BROWSER_CACHE_SECONDS", 60)
CDN_CACHE_SECONDS = env_int("CDN_CACHE_SECONDS", 300)
# The only query parameters a kept page may have: the treatments list's page and body area,
# and the sitemap's page (each kept only where the page says it is its own address).
PAGE_CACHE_QUERY_PARAMETERS = ("page", "area", "p")
# The page type whose medical reviews are reported and reminded of (clinical_review).
CLINICAL_REVIEW_PAGE_MODEL = "procedures.ProcedurePage"
# Where the cache is shared by every process (Redis), the content version is kept in it too, for
# PAGE_CACHE_VERSION_SECONDS: a page-cache hit then asks the database nothing.
PAGE_CACHE_VERSION_IN_CACHE = bool(REDIS_URL)
PAGE_CACHE_VERSION_SECONDS = env_int("PAGE_CACHE_VERSION_SECONDS", 10)
# After a change, the first request for a kept page renders it again while the others get the
# previous copy, for PAGE_CACHE_RENDER_SECONDS at most (a render that takes longer, or never
# ends, lets the next request try).
PAGE_CACHE_RENDER_SECONDS = env_int("PAGE_CACHE_RENDER_SECONDS", 5)
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The clinic's own time zone: "today" and every time shown are the clinic's.
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("STATIC_ROOT", BASE_DIR / "collected-static")
STATIC_URL = "/static/"
MEDIA_ROOT = os.environ.get("MEDIA_ROOT", BASE_DIR / "media")
MEDIA_URL = "/media/"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Mail: the contact form notifies the clinic. Production reads these from the environment.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# STARTTLS (EMAIL_USE_TLS, usually port 587) or TLS from the start (EMAIL_USE_SSL, port 465).
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "true"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "") == "true"
# Seconds each step of the SMTP conversation may take (the task worker sends, not the page).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "website@clinic.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background tasks (django-tasks, which Wagtail uses too): kept in the database and run by
# `python manage.py db_worker` (django-tasks-db). The contact form's mail is sent there.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "Clinic"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "rtf", "txt", "xlsx"]
# Documents are always sent by the site (/documents/<id>/<name>), never from their storage's
# own address: Wagtail checks collection privacy, and base/wagtail_hooks.py the view
# restrictions of the pages that use them, before each download. The proxy serves only images.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAILFORMS_HELP_TEXT_ALLOW_HTML = False
# The admin asks no third party for anything: no avatars from gravatar.com (which would receive
# a hash of each member of staff's e-mail address), no version check at releases.wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Contact form
# A client address may send this many contact messages per window (seconds). The address
# is taken from X-Forwarded-For past TRUSTED_PROXY_COUNT proxies (forms/ratelimit.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
CONTACT_RATE_LIMIT = env_int("CONTACT_RATE_LIMIT", 10)
CONTACT_RATE_WINDOW = env_int("CONTACT_RATE_WINDOW", 3600)
# Contact submissions older than this many days are removed by purge_form_submissions.
FORM_SUBMISSION_RETENTION_DAYS = env_int("FORM_SUBMISSION_RETENTION_DAYS", 365)

CAPTCHA_IMAGE_SIZE = (160, 60)
CAPTCHA_FONT_SIZE = 36
CAPTCHA_LENGTH = 5
# The captcha can also be heard ("Listen to the characters"), spoken by flite (Debian's
# `flite` package). Without it, only the picture is offered.
CAPTCHA_FLITE_PATH = os.environ.get("CAPTCHA_FLITE_PATH", shutil.which("flite"))
# Minutes a captcha stays valid: long enough to write a message without hurrying.
CAPTCHA_TIMEOUT = 60

# Location maps: Leaflet (static/vendor/leaflet) with OpenStreetMap tiles, which need no API key.
# The tiles come from another host, which then learns who looked at which clinic: a map is
# loaded only when the patient presses "Show map", unless MAP_LOAD_AT_ONCE=true.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = os.environ.get(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
MAP_LOAD_AT_ONCE = os.environ.get("MAP_LOAD_AT_ONCE", "") == "true"

# Login throttle (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that login is locked for AXES_COOLOFF_MINUTES. An administrator unlocks it
# sooner with `manage.py axes_reset_username <username>` (or axes_reset_ip, axes_reset).
# AxesBackend refuses a locked login, then lets Django's ModelBackend check the password. It
# comes first and can also load users: Wagtail's test helpers log in with the first backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 60)
# (A number of minutes out of range is named by the start-up checks, which stop the site.)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=AXES_COOLOFF_MINUTES
    if isinstance(AXES_COOLOFF_MINUTES, int) and 1 <= AXES_COOLOFF_MINUTES <= 525600
    else 60
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address as the contact form's rate limit takes it (behind TRUSTED_PROXY_COUNT
# proxies: from X-Forwarded-For), so that behind nginx one address is not everyone's.
AXES_CLIENT_IP_CALLABLE = "base.accounts.login_client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "base.accounts.locked_out_response"
WAGTAILADMIN_USER_LOGIN_FORM = "base.accounts.LockoutAwareLoginForm"
# "Forgotten password?": the mail is sent by the task worker (base/tasks.py), never inside the
# request, and at most PASSWORD_RESET_LIMIT_PER_ADDRESS times per e-mail address and
# PASSWORD_RESET_LIMIT_PER_CLIENT times per client address in PASSWORD_RESET_WINDOW seconds;
# the page answers the same whether the address is known, unknown or over its limit.
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "base.accounts.QueuedPasswordResetForm"
PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
PASSWORD_RESET_LIMIT_PER_CLIENT = 10
PASSWORD_RESET_WINDOW = 3600

# Security headers and the admin's address.
# The admin's path (e.g. "staff-7f3a/"): somewhere other than /admin/ keeps robots that try
# the usual address away from the login page.
ADMIN_PATH = os.environ.get("ADMIN_PATH", "admin/")
# Never answered from the page cache: the admin (and its previews), captchas, documents,
# security.txt (it needs no database and its expiry date moves with each request), the health
# check (base/health.py: always asked afresh), and static and uploaded files (WhiteNoise and
# the proxy serve them).
PAGE_CACHE_EXCLUDED_PATHS = [
    f"/{ADMIN_PATH}",
    "/captcha/",
    "/documents/",
    "/.well-known/",
    "/healthz",
    STATIC_URL,
    MEDIA_URL,
]

# The map tile server's origin, for the policy below ("{s}" subdomains: any of them).
_tiles = urlsplit(MAP_TILE_URL)
MAP_TILE_ORIGIN = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"

# Content-Security-Policy (django-csp): the site's own scripts, styles and fonts only, and map
# tiles from MAP_TILE_URL's server (production.py adds the bucket or CDN of uploaded images).
# JSON-LD is data, not script: no policy applies to it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", MAP_TILE_ORIGIN],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
# What Wagtail's admin needs on top, on its own pages only (see base.middleware): its
# widgets start with inline scripts (date and image choosers, inline panels) and its rich-text
# editor adds <style> elements. No eval and no other host: avatars are not fetched from
# Gravatar (nor is wagtail.org asked for new releases, above).
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]}

# /.well-known/security.txt: where to report a vulnerability (comma-separated addresses or
# URLs), and for how many days from each request the file says it stays valid.
SECURITY_CONTACT = os.environ.get("SECURITY_CONTACT", f"mailto:{DEFAULT_FROM_EMAIL}")
SECURITY_TXT_EXPIRES_DAYS = 180

# The health check answers over plain HTTP too (a load balancer asking gunicorn directly),
# rather than redirecting to HTTPS (SECURE_SSL_REDIRECT in production).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Permissions-Policy: the site uses none of these browser features.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
