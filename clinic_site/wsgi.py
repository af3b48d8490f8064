import io
import os

from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings.production")

application = get_wsgi_application()

# The start-up checks of `manage.py check --deploy`, before the first request: a setting that
# makes no sense, or static files never collected (no manifest: every page would fail), stops
# gunicorn with the error naming it (SystemCheckError). Warnings are left to `check --deploy`.
call_command("check", deploy=True, stdout=io.StringIO(), stderr=io.StringIO())
