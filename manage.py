#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings.dev")

    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # Settings that refuse to load (production without SECRET_KEY, DATABASE_URL or a mail
    # server) say which setting and what it should be: that message alone, not a traceback.
    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading a setting loads them all)
    except ImproperlyConfigured as error:
        sys.exit(str(error))

    execute_from_command_line(sys.argv)
