"""Start-up checks of site-wide settings (the admin's path, the mail connection), and the
helper that other apps' checks use to name a bad whole-number setting."""

import re

from django.conf import settings
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
