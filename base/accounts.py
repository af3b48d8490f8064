"""The admin's login: repeated failures lock the login out (django-axes), and the login page
says so."""

import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm

from base.client import client_address


def lockout_message():
    minutes = round(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    return (
        f"Too many failed attempts to log in to this account from here: logging in is locked "
        f"for {minutes} minutes. If you have forgotten your password, use “Forgotten "
        f"password?”, or ask an administrator to unlock the account sooner."
    )


class LockoutAwareLoginForm(LoginForm):
    """Wagtail's login form. When django-axes refuses the attempt because of earlier
    failures, the error says the login is locked, instead of "didn't match"."""

    def get_invalid_login_error(self):
        if getattr(self.request, "axes_locked_out", False):
            return ValidationError(lockout_message(), code="locked_out")
        return super().get_invalid_login_error()


def locked_out_response(request, response, credentials):
    """django-axes' lockout answer: the login page as the view rendered it (with the message
    above), marked 429 Too Many Requests."""
    response.status_code = 429
    return response


def login_client_address(request):
    """The address django-axes counts failures by: the client's, as the contact form's rate
    limit takes it (behind TRUSTED_PROXY_COUNT proxies, from X-Forwarded-For); None when
    there is none (a login made inside the server, as Django's test client does)."""
    address = client_address(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address
