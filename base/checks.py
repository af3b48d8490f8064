"""Start-up checks of site-wide settings (the admin's path, the mail connection, the numbers
and the database address read from the environment, the collected static files), and the
helper that other apps' checks use to name a bad whole-number setting."""

import re

import dj_database_url
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.checks import Error, register

ADMIN_PATH = re.compile(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*/")


def whole_number_problem(name, low, high=None):
    value = getattr(settings, name, None)
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= low and (high is None or value <= high):
            return None
    wanted = f"from {low} to {high}" if high else f"of at least {low}"
    return f"{name} must be a whole number {wanted} (it is {value!r})."


@register()
def check_site_settings(app_configs, **kwargs):
    errors = []
    if not ADMIN_PATH.fullmatch(settings.ADMIN_PATH):
        errors.append(
            Error(
                f"ADMIN_PATH must be a path such as 'staff/' (it is {settings.ADMIN_PATH!r}).",
                hint="Letters, digits, '.', '_', '~' or '-', no leading '/', ending with '/'.",
                id="home.E001",
            )
        )
    if settings.EMAIL_USE_TLS and settings.EMAIL_USE_SSL:
        errors.append(
            Error(
                "EMAIL_USE_TLS and EMAIL_USE_SSL are both on: a mail server takes one or "
                "the other.",
                hint="EMAIL_USE_TLS=true for STARTTLS (usually port 587), "
                "EMAIL_USE_SSL=true for TLS from the start (usually port 465).",
                id="home.E002",
            )
        )
    return errors


@register()
def check_database_wait_limit(app_configs, **kwargs):
    problem = whole_number_problem("DATABASE_WAIT_LIMIT", 0, 60000)
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Milliseconds a request may wait on a database that does not answer "
            "(default 2700; 0 turns the limit off).",
            id="home.E003",
        )
    ]


# Whole numbers read from the environment (clinic_site/settings/): the range of each and what
# it is. An app's own are checked by the app (forms/checks.py, pagecache/checks.py).
ENVIRONMENT_WHOLE_NUMBERS = [
    (
        "EMAIL_PORT",
        1,
        65535,
        "The mail server's port: 587 for STARTTLS, 465 for TLS from the start, 25 without.",
        "clinic_environment.E001",
    ),
    (
        "EMAIL_TIMEOUT",
        1,
        None,
        "Seconds each step of sending a mail may take (default 10).",
        "clinic_environment.E002",
    ),
    (
        "DATABASE_CONN_MAX_AGE",
        0,
        None,
        "Seconds a web thread keeps its database connection (0: a new one for each request).",
        "clinic_environment.E003",
    ),
    (
        "DATABASE_CONNECT_TIMEOUT",
        1,
        None,
        "Seconds to wait for PostgreSQL to accept a connection (default 2).",
        "clinic_environment.E004",
    ),
    (
        "DATABASE_STATEMENT_TIMEOUT",
        0,
        None,
        "Milliseconds a database statement may run (default 2500; 0 turns the limit off).",
        "clinic_environment.E005",
    ),
    (
        "TRUSTED_PROXY_COUNT",
        0,
        None,
        "Reverse proxies in front of gunicorn that append to X-Forwarded-For (1 behind nginx).",
        "clinic_environment.E006",
    ),
    (
        "AXES_FAILURE_LIMIT",
        1,
        None,
        "Wrong passwords before a username is locked at an address (default 5).",
        "clinic_environment.E007",
    ),
    (
        "AXES_COOLOFF_MINUTES",
        1,
        525600,
        "Minutes a locked login stays locked (default 60; a year at most).",
        "clinic_environment.E008",
    ),
    (
        "SECURE_HSTS_SECONDS",
        0,
        None,
        "Seconds browsers keep to HTTPS (a year: 31536000; 0 turns it off).",
        "clinic_environment.E009",
    ),
]


def seconds_problem(name, example):
    value = getattr(settings, name, None)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return None
    return f"{name} must be a number of seconds above 0, such as {example} (it is {value!r})."


def database_url_problem(url):
    """What is wrong with DATABASE_URL, or None. Unset (None), it is no problem here: SQLite
    outside production, which refuses to start without it (clinic_site/settings/production.py).
    The password is not shown."""
    if url is None:
        return None
    try:
        readable = not re.search(r"\s", url) and bool(dj_database_url.parse(url).get("NAME"))
    except ValueError:
        readable = False
    if readable:
        return None
    shown = re.sub(r"^([^:/]*://[^/@:]*:).*@", r"\1********@", url)
    return (
        "DATABASE_URL must be a database's address such as "
        f"postgres://clinic:password@127.0.0.1:5432/clinic (it is {shown!r})."
    )


@register()
def check_environment(app_configs, **kwargs):
    errors = [
        Error(problem, hint=hint, id=id_)
        for name, low, high, hint, id_ in ENVIRONMENT_WHOLE_NUMBERS
        if (problem := whole_number_problem(name, low, high))
    ]
    problem = seconds_problem("REDIS_TIMEOUT", 0.25)
    if problem:
        errors.append(
            Error(
                problem,
                hint="Seconds each call to Redis may take before the page goes on without it.",
                id="clinic_environment.E010",
            )
        )
    problem = database_url_problem(getattr(settings, "DATABASE_URL", None))
    if problem:
        errors.append(
            Error(
                problem,
                hint="scheme://user:password@host:port/database name, with no space; "
                "characters such as @, : or / in the password written %40, %3A, %2F.",
                id="clinic_environment.E011",
            )
        )
    return errors


# The stylesheet that every page links.
SITE_STYLESHEET = "css/site.css"


@register(deploy=True)
def check_static_files_collected(app_configs, **kwargs):
    """Under production's manifest storage, pages link static files by the hashed names that
    `collectstatic` writes into STATIC_ROOT with its manifest: without them, every page fails.
    Run by `manage.py check --deploy`, and by clinic_site/wsgi.py before gunicorn serves."""
    try:
        staticfiles_storage.url(SITE_STYLESHEET)
    except ValueError:
        return [
            Error(
                "The static files have not been collected into STATIC_ROOT "
                f"({settings.STATIC_ROOT}): without their manifest, every page would fail.",
                hint="Run `python manage.py collectstatic --noinput` with the site's "
                "environment, then start the site.",
                id="clinic_deploy.E001",
            )
        ]
    return []
