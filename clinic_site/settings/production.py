import os
from email.utils import parseaddr

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
# Links in the admin's e-mails: the site's public address (see setup_site).
if os.environ.get("SITE_HOSTNAME") and not os.environ.get("WAGTAILADMIN_BASE_URL"):
    WAGTAILADMIN_BASE_URL = f"https://{os.environ['SITE_HOSTNAME']}"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Each gunicorn thread keeps its own database connection for ten minutes rather than
# connecting for every request (connecting costs more than a page's queries): processes x
# threads connections at most (8 by default, see gunicorn.conf.py). A kept connection is
# checked at the start of the next request, and replaced if the database closed it (a restart,
# a failover, an idle timeout), so the visitor never gets the broken one.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "600"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

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
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
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
