"""The pages a visitor gets when the site itself fails.

They are rendered without the database, which may be what failed: the clinic's name and
phone number come from the cache, where the clinic settings put them each time they are
saved. A database that cannot be reached or that times out gives 503 (try again soon);
any other error gives 500. Django logs both, with the traceback (see LOGGING)."""

import sys

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.debug import SafeExceptionReporterFilter

CLINIC_CONTACT_KEY = "clinic-contact-for-error-pages"
# Seconds a visitor is asked to wait before trying again after a 503.
RETRY_AFTER = 60


def remember_clinic_contact(name, phone, phone_href):
    cache.set(CLINIC_CONTACT_KEY, {"name": name, "phone": phone, "phone_href": phone_href}, None)


def server_error(request):
    """Django's handler500: called while the error is being handled, so it can tell a
    database that is unavailable from any other failure."""
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    context = {"clinic": cache.get(CLINIC_CONTACT_KEY) or {}}
    if unavailable:
        # The error report (mailed to ADMINS) must not wait on the database again.
        request.user = AnonymousUser()
        request.database_unavailable = True
        response = HttpResponse(render_to_string("503.html", context), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponse(render_to_string("500.html", context), status=500)


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter of error reports (secrets hidden); while the database is unavailable
    it also leaves out the local variables of each frame, as showing one (a queryset) would
    query the database again and hold the visitor for another connect timeout."""

    def get_traceback_frame_variables(self, request, tb_frame):
        if getattr(request, "database_unavailable", False):
            return []
        return super().get_traceback_frame_variables(request, tb_frame)
