"""The admin's login: repeated failures lock the login out (django-axes), and the login page
says so. "Forgotten password?": the reset mail is sent by the task worker, a limited number of
times per address and per client."""

import hashlib
import ipaddress
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import LoginForm, PasswordResetForm

from base.client import client_address
from base.tasks import send_password_reset
from base.throttle import within_limit

logger = logging.getLogger(__name__)


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


def password_reset_allowed(email, request):
    """Count one more reset asked for `email` from this request's client, and say whether
    both are within their limits (PASSWORD_RESET_LIMIT_PER_CLIENT, then
    PASSWORD_RESET_LIMIT_PER_ADDRESS, per PASSWORD_RESET_WINDOW). A client over its limit
    uses up nothing of the address's."""
    window = settings.PASSWORD_RESET_WINDOW
    client = client_address(request) if request is not None else "unknown"
    if not within_limit(
        f"password-reset-client:{client}", settings.PASSWORD_RESET_LIMIT_PER_CLIENT, window
    ):
        logger.warning("Password reset not sent: too many asked from %s", client)
        return False
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    if not within_limit(
        f"password-reset-address:{digest}", settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window
    ):
        logger.warning("Password reset not sent: too many asked for one address")
        return False
    return True


class QueuedPasswordResetForm(PasswordResetForm):
    """Wagtail's "Forgotten password?" form, whose mail is sent by the task worker
    (base.tasks.send_password_reset), never inside the request: a slow or hung mail server
    holds no web thread, and the request takes as long whether or not an account has the
    address (it does not even look). Past the limits nothing is sent, and the page answers
    the same: it never tells whether an address has an account."""

    def save(
        self,
        domain_override=None,
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.html",
        use_https=False,
        token_generator=None,
        from_email=None,
        request=None,
        html_email_template_name=None,
        extra_email_context=None,
    ):
        email = self.cleaned_data["email"]
        if not password_reset_allowed(email, request):
            return
        send_password_reset.enqueue(
            email=email,
            domain=domain_override or (request.get_host() if request is not None else ""),
            use_https=use_https,
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            html_email_template_name=html_email_template_name,
            from_email=from_email,
        )
