import os
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CONTENT_SECURITY_POLICY, DATABASES, env_int

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

# The database is PostgreSQL at DATABASE_URL: production never falls back to the SQLite file of
# development. (A DATABASE_URL that cannot be read is named by the start-up checks.)
if not os.environ.get("DATABASE_URL", "").strip():
    raise ImproperlyConfigured(
        "DATABASE_URL must be set in the environment for production: the PostgreSQL "
        "database's address, such as postgres://clinic:password@127.0.0.1:5432/clinic."
    )

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
# Links in the admin's e-mails: the site's public address (see setup_site).
if os.environ.get("SITE_HOSTNAME") and not os.environ.get("WAGTAILADMIN_BASE_URL"):
    WAGTAILADMIN_BASE_URL = f"https://{os.environ['SITE_HOSTNAME']}"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Mail goes to a mail server: SMTP to EMAIL_HOST, or another backend named by its Python path
# in EMAIL_BACKEND (an e-mail service's API). The backends that send nothing would let the task
# worker record the clinic's mail as sent: production (never DEBUG) refuses them.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip() or "smtp"
if EMAIL_BACKEND in ("smtp", "console", "filebased", "locmem", "dummy"):
    EMAIL_BACKEND = f"django.core.mail.backends.{EMAIL_BACKEND}.EmailBackend"
elif "." not in EMAIL_BACKEND:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND must be smtp (the default) or the Python path of a mail backend, such "
        f"as django.core.mail.backends.smtp.EmailBackend (it is {EMAIL_BACKEND!r})."
    )
sends_no_mail = {
    f"django.core.mail.backends.{name}.EmailBackend": what
    for name, what in [
        ("console", "prints each mail"),
        ("filebased", "writes each mail to a file"),
        ("locmem", "keeps each mail in memory"),
        ("dummy", "drops each mail"),
    ]
}
if EMAIL_BACKEND in sends_no_mail:
    raise ImproperlyConfigured(
        f"EMAIL_BACKEND={os.environ['EMAIL_BACKEND'].strip()} {sends_no_mail[EMAIL_BACKEND]} and "
        "sends none: production needs a mail server. Leave EMAIL_BACKEND unset (SMTP) and set "
        "EMAIL_HOST."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend" and not EMAIL_HOST:
    raise ImproperlyConfigured(
        "EMAIL_HOST must be set in the environment for production: the mail server that "
        "sends the contact form's messages, such as EMAIL_HOST=smtp.clinic.example "
        "(localhost for one on this machine)."
    )

# Each gunicorn thread keeps its own database connection for ten minutes rather than
# connecting for every request (connecting costs more than a page's queries): processes x
# threads connections at most (8 by default, see gunicorn.conf.py). A kept connection is
# checked at the start of the next request, and replaced if the database closed it (a restart,
# a failover, an idle timeout), so the visitor never gets the broken one.
# (A value that is no whole number is named by the start-up checks, which stop the site.)
DATABASE_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 600)
DATABASES["default"]["CONN_MAX_AGE"] = (
    DATABASE_CONN_MAX_AGE if isinstance(DATABASE_CONN_MAX_AGE, int) else 600
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Uploaded files (images, their renditions, documents), through Django's storage API
# (docs/deploying.md, "Uploaded files"). On one host: MEDIA_ROOT on its disk, images served by
# the proxy. On several: an S3-compatible bucket (django-storages) once AWS_STORAGE_BUCKET_NAME
# is set. Images are then read from the bucket (or a CDN in front of it, AWS_S3_CUSTOM_DOMAIN)
# at stable unsigned addresses, public through the bucket's policy on images/ and
# original_images/ only. Documents stay private in either: the site serves them itself
# (WAGTAILDOCS_SERVE_METHOD), after checking who may read them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    from botocore.config import Config

    _bucket = os.environ["AWS_STORAGE_BUCKET_NAME"]
    _endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "")
    _region = os.environ.get("AWS_S3_REGION_NAME", "")
    _domain = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "")
    if _endpoint and not (
        urlsplit(_endpoint).scheme in ("http", "https") and urlsplit(_endpoint).netloc
    ):
        raise ImproperlyConfigured(
            f"AWS_S3_ENDPOINT_URL must be an address such as https://s3.example.net "
            f"(it is {_endpoint!r})."
        )
    if "://" in _domain:
        raise ImproperlyConfigured(
            f"AWS_S3_CUSTOM_DOMAIN is a host name without https://, e.g. media.clinic.example "
            f"(it is {_domain!r})."
        )
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": _bucket,
            "endpoint_url": _endpoint or None,
            "region_name": _region or None,
            "custom_domain": _domain or None,
            # Stable addresses a browser or CDN may keep; documents are never linked to.
            "querystring_auth": False,
            # A second upload called photo.jpg gets a name of its own, as on disk.
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "max-age=2592000"},
            # A bucket that stops answering holds a request seconds, not minutes.
            "client_config": Config(
                connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3}
            ),
        },
    }
    # Browsers may show images from there (Content-Security-Policy img-src).
    if _domain:
        _media_origins = [f"https://{_domain.split('/')[0]}"]
    elif _endpoint:
        _media_origins = [f"{urlsplit(_endpoint).scheme}://{urlsplit(_endpoint).netloc}"]
    else:
        _media_origins = [f"https://{_bucket}.s3.amazonaws.com"]
        if _region:
            _media_origins.append(f"https://{_bucket}.s3.{_region}.amazonaws.com")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += _media_origins

# A CDN or caching proxy in front of the site, purged whenever a page or anything it shows
# changes (wagtail.contrib.frontend_cache; the task worker sends the purges):
# FRONTEND_CACHE_URL for Varnish, nginx or any proxy that takes an HTTP PURGE request, and/or
# CLOUDFLARE_ZONE_ID with CLOUDFLARE_API_TOKEN for Cloudflare.
WAGTAILFRONTENDCACHE = {}
if os.environ.get("FRONTEND_CACHE_URL"):
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": os.environ["FRONTEND_CACHE_URL"],
    }
if os.environ.get("CLOUDFLARE_ZONE_ID"):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": os.environ["CLOUDFLARE_ZONE_ID"],
        "BEARER_TOKEN": os.environ.get("CLOUDFLARE_API_TOKEN", ""),
    }

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true") == "true"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# HSTS: browsers keep to HTTPS for a year. SECURE_HSTS_SECONDS=0 turns it off (while the site
# is not yet served over HTTPS only).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "") == "true"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "") == "true"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# Errors: every server error is logged with its traceback to stderr (gunicorn's error log),
# and mailed to ADMINS when set ("Name <address>" or plain addresses, comma-separated).
ADMINS = [parseaddr(admin) for admin in os.environ.get("ADMINS", "").split(",") if admin.strip()]
DEFAULT_EXCEPTION_REPORTER_FILTER = "base.errors.ExceptionReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d: %(message)s"},
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
        },
    },
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # django.request logs each 5xx with its traceback; propagated to the root handler.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
    },
}
