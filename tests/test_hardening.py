"""Hardening: the login throttle, security headers, security.txt, the admin's path, and the
set-up commands that production uses."""

import datetime
import importlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import clear_url_caches
from django.utils import timezone
from wagtail.models import Page, Site

from base.models import ClinicSettings
from forms.models import ContactFormPage, ContactSubmission
from home.models import HomePage
from procedures.models import ProcedureIndexPage, ProcedurePage
from tests.smtp import Collector
from tests.smtp import _Controller as SMTPController

PROJECT_ROOT = Path(__file__).resolve().parent.parent

LOGIN = "/admin/login/"


# The login throttle


def log_in(client, username, password):
    """Fill in and submit the admin's login form as a browser does (CSRF token included)."""
    form = BeautifulSoup(client.get(LOGIN).content, "html.parser").find("form", method="post")
    data = {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name") and field.get("type") != "checkbox"
    }
    data.update(username=username, password=password)
    return client.post(LOGIN, data)


def login_errors(response):
    soup = BeautifulSoup(response.content, "html.parser")
    return [li.get_text(" ", strip=True) for li in soup.select("li.error")]


def logged_in_as(client):
    response = client.get("/admin/")
    return response.status_code == 200 and response.wsgi_request.user.username


@pytest.fixture
def staff(db, settings):
    settings.AXES_ENABLED = True  # off in the other tests (see clinic_site/settings/test.py)
    return User.objects.create_superuser("ana", "ana@clinic.example", "the-right-password")


def test_fifty_wrong_passwords_lock_the_login_even_for_the_right_password(staff):
    browser = Client(enforce_csrf_checks=True)
    for attempt in range(1, 51):
        response = log_in(browser, "ana", f"guess-{attempt}")
        [error] = login_errors(response)
        if attempt < 5:
            assert response.status_code == 200
            assert "didn't match" in error
        else:
            assert response.status_code == 429
            assert error.startswith("Too many failed attempts to log in to this account")
            assert "locked for 60 minutes" in error and "administrator" in error

    response = log_in(browser, "ana", "the-right-password")
    assert response.status_code == 429
    assert "Too many failed attempts" in login_errors(response)[0]
    assert not logged_in_as(browser)


@pytest.mark.parametrize("behind_a_proxy", [False, True])
def test_another_address_is_not_locked_out(staff, settings, behind_a_proxy):
    """From elsewhere the right password still works: an attacker cannot lock staff out. Behind
    a proxy, the address is the one the proxy saw (as for the contact form's rate limit)."""

    def browser_at(address):
        if behind_a_proxy:
            settings.TRUSTED_PROXY_COUNT = 1
            return Client(
                enforce_csrf_checks=True, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=address
            )
        return Client(enforce_csrf_checks=True, REMOTE_ADDR=address)

    attacker = browser_at("203.0.113.9")
    for attempt in range(5):
        log_in(attacker, "ana", f"guess-{attempt}")
    assert "Too many failed attempts" in login_errors(log_in(attacker, "ana", "x"))[0]
    staff_member = browser_at("198.51.100.7")
    log_in(staff_member, "ana", "the-right-password")
    assert logged_in_as(staff_member) == "ana"


def test_an_administrator_unlocks_a_login_with_axes_reset_username(staff):
    browser = Client(enforce_csrf_checks=True)
    for attempt in range(5):
        log_in(browser, "ana", f"guess-{attempt}")
    assert "Too many failed attempts" in login_errors(log_in(browser, "ana", "x"))[0]

    out = io.StringIO()
    call_command("axes_reset_username", "ana", stdout=out)
    assert out.getvalue().strip() == "1 attempts removed."

    response = log_in(browser, "ana", "the-right-password")
    assert response.status_code == 302
    assert logged_in_as(browser) == "ana"


# Setting up a site


def test_load_demo_content_refuses_to_create_accounts_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off.*setup_site.*--no-accounts"):
        call_command("load_demo_content", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not HomePage.objects.exists()

    call_command("load_demo_content", "--no-accounts", stdout=io.StringIO())
    assert not User.objects.exists()
    assert ProcedurePage.objects.live().filter(slug="prolotherapy").exists()


def setup_site(monkeypatch, **env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    out = io.StringIO()
    call_command("setup_site", stdout=out)
    return out.getvalue()


def test_setup_site_serves_the_site_at_its_public_address(db, monkeypatch, client, settings):
    settings.DEBUG = False
    out = setup_site(
        monkeypatch,
        SITE_HOSTNAME="clinic.example",
        CLINIC_NAME="Riverside Clinic",
        CLINIC_EMAIL="reception@clinic.example",
    )
    assert out.startswith("Site ready at https://clinic.example\n")
    assert not User.objects.exists()

    site = Site.objects.get()
    assert (site.hostname, site.port, site.site_name) == ("clinic.example", 443, "Riverside Clinic")
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    contact = ContactFormPage.objects.get()
    assert contact.live and contact.to_address == "reception@clinic.example"
    assert contact.notification_from_address() == settings.DEFAULT_FROM_EMAIL
    assert ProcedureIndexPage.objects.get().live
    assert ClinicSettings.objects.get(site=site).clinic_name == "Riverside Clinic"

    sitemap = client.get("/sitemap-pages.xml", HTTP_HOST="clinic.example").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert sorted(locations) == [
        "https://clinic.example/",
        "https://clinic.example/clinicians/",
        "https://clinic.example/contact/",
        "https://clinic.example/procedures/",
    ]
    assert contact.full_url == "https://clinic.example/contact/"
    assert "localhost" not in sitemap

    # Run again (a new host name): nothing is created twice, the Site follows.
    setup_site(monkeypatch, SITE_HOSTNAME="www.clinic.example", SITE_PORT="8443")
    assert Page.objects.count() == 5  # the tree's root, home, treatments, clinicians, contact
    site = Site.objects.get()
    assert (site.hostname, site.port, site.root_page_id) == ("www.clinic.example", 8443, home.pk)


@pytest.mark.parametrize(
    "env,message",
    [
        ({}, "SITE_HOSTNAME=clinic.example"),
        ({"SITE_HOSTNAME": "https://clinic.example"}, "without scheme or port"),
        ({"SITE_HOSTNAME": "clinic.example", "SITE_PORT": "https"}, "SITE_PORT"),
        ({"SITE_HOSTNAME": "clinic.example"}, "CLINIC_EMAIL="),
    ],
)
def test_setup_site_says_what_is_missing(db, monkeypatch, env, message):
    for name in ("SITE_HOSTNAME", "SITE_PORT", "CLINIC_NAME", "CLINIC_EMAIL"):
        monkeypatch.delenv(name, raising=False)
    if "CLINIC_EMAIL" not in message:
        env.setdefault("CLINIC_EMAIL", "reception@clinic.example")
    with pytest.raises(CommandError, match=re.escape(message)):
        setup_site(monkeypatch, **env)
    assert not HomePage.objects.exists()


# Purging old messages


def stored_message(page, name, days_old, sent=True):
    now = timezone.now()
    submission = ContactSubmission.objects.create(
        page=page, form_data={"name": name}, notification_sent_at=now if sent else None
    )
    ContactSubmission.objects.filter(pk=submission.pk).update(
        submit_time=now - datetime.timedelta(days=days_old)
    )


def purge(*args):
    out = io.StringIO()
    call_command("purge_form_submissions", *args, stdout=out)
    return out.getvalue()


def names():
    return sorted(s.form_data["name"] for s in ContactSubmission.objects.all())


def test_purge_keeps_old_messages_the_clinic_was_never_sent_unless_asked(demo_content):
    page = ContactFormPage.objects.get()
    stored_message(page, "old, sent", 400)
    stored_message(page, "old, never sent", 400, sent=False)
    stored_message(page, "recent, never sent", 3, sent=False)

    out = purge("--dry-run")
    assert "Would delete 1 submission(s)" in out
    assert "Kept 1 older message(s) the clinic was never sent" in out
    assert len(names()) == 3

    out = purge()
    assert "Deleted 1 submission(s)" in out and "--include-unsent" in out
    assert names() == ["old, never sent", "recent, never sent"]

    out = purge("--include-unsent")
    assert "Deleted 1 submission(s)" in out and "Kept" not in out
    assert names() == ["recent, never sent"]


@pytest.mark.parametrize("days", ["0", "-5", "36501", "1000000000"])
def test_purge_refuses_a_retention_period_out_of_range(demo_content, days):
    stored_message(ContactFormPage.objects.get(), "kept", 2)
    with pytest.raises(CommandError, match=rf"from 1 to 36500 days \(got {days}\)"):
        purge("--days", days)
    assert names() == ["kept"]


def test_purge_accepts_the_longest_retention_period(demo_content):
    stored_message(ContactFormPage.objects.get(), "kept", 2)
    assert "Deleted 0 submission(s)" in purge("--days", "36500")
    assert "Deleted 1 submission(s)" in purge("--days", "1")


# Start-up checks


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("FORM_SUBMISSION_RETENTION_DAYS", 0, "from 1 to 36500 (it is 0)"),
        ("FORM_SUBMISSION_RETENTION_DAYS", "a year", "from 1 to 36500 (it is 'a year')"),
        ("CONTACT_RATE_LIMIT", -1, "of at least 1 (it is -1)"),
        ("CONTACT_RATE_WINDOW", "1h", "of at least 1 (it is '1h')"),
        ("ADMIN_PATH", "/admin", "path such as 'staff/'"),
        ("EMAIL_USE_SSL", True, "EMAIL_USE_TLS and EMAIL_USE_SSL are both on"),
    ],
)
def test_start_up_checks_name_a_bad_setting(settings, name, value, message):
    settings.EMAIL_USE_TLS = name == "EMAIL_USE_SSL"
    setattr(settings, name, value)
    errors = [error for error in run_checks() if error.is_serious()]
    assert [error.msg for error in errors if message in error.msg] != [], errors
    assert len(errors) == 1, errors


def test_start_up_checks_pass_with_the_defaults():
    assert [error for error in run_checks() if error.is_serious()] == []


def run_manage(*args, **env):
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "SITE_"))},
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.production",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789",
        "ALLOWED_HOSTS": "clinic.example",
        # Required by production; nothing here connects to them.
        "DATABASE_URL": "postgres://clinic@db.example/clinic",
        "EMAIL_HOST": "smtp.clinic.example",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def test_a_bad_value_in_the_environment_stops_the_site_with_a_clear_message():
    result = run_manage("check", FORM_SUBMISSION_RETENTION_DAYS="a year")
    assert result.returncode != 0
    assert "FORM_SUBMISSION_RETENTION_DAYS must be a whole number from 1 to 36500" in result.stderr
    assert "Traceback" not in result.stderr


PRINT_SETTINGS = (
    "from django.conf import settings as s; "
    "print(s.SECURE_HSTS_SECONDS, s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.WAGTAILADMIN_BASE_URL)"
)


def test_production_turns_hsts_on_unless_told_and_mail_tls_follows_the_environment():
    assert run_manage("shell", "-v", "0", "-c", PRINT_SETTINGS).stdout.split() == [
        "31536000",
        "False",
        "False",
        "http://127.0.0.1:8000",
    ]
    configured = run_manage(
        "shell",
        "-v",
        "0",
        "-c",
        PRINT_SETTINGS,
        SECURE_HSTS_SECONDS="0",
        EMAIL_USE_SSL="true",
        SITE_HOSTNAME="clinic.example",
    )
    assert configured.stdout.split() == ["0", "False", "True", "https://clinic.example"]


# Headers, security.txt and the admin's path


def test_public_pages_carry_a_strict_policy_and_the_admin_a_looser_one(demo_content, client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";" and "unsafe" not in policy
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert response["Permissions-Policy"].startswith("camera=(), microphone=(), geolocation=()")

    admin_policy = client.get(LOGIN)["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in admin_policy
    assert "unsafe-eval" not in admin_policy


def test_security_txt_names_the_contact_and_an_expiry_ahead(client, settings):
    settings.SECURITY_CONTACT = "security@clinic.example, https://clinic.example/report"
    response = client.get("/.well-known/security.txt", secure=True)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = [line.split(": ", 1) for line in response.content.decode().splitlines()]
    assert fields[:2] == [
        ["Contact", "mailto:security@clinic.example"],
        ["Contact", "https://clinic.example/report"],
    ]
    expires = datetime.datetime.strptime(dict(fields)["Expires"], "%Y-%m-%dT%H:%M:%S%z")
    ahead = expires - timezone.now()
    assert datetime.timedelta(days=179) < ahead <= datetime.timedelta(days=180)
    assert dict(fields)["Canonical"] == "https://testserver/.well-known/security.txt"


@pytest.fixture
def admin_at(settings):
    """Serve the admin at another path, as ADMIN_PATH does (the URLs are read again)."""
    import clinic_site.urls

    def move(path):
        settings.ADMIN_PATH = path
        clear_url_caches()
        importlib.reload(clinic_site.urls)

    yield move
    settings.ADMIN_PATH = "admin/"
    clear_url_caches()
    importlib.reload(clinic_site.urls)


def test_the_admin_is_served_at_admin_path(staff, admin_at):
    admin_at("staff-7f3a/")
    assert Client().get("/admin/login/").status_code == 404
    browser = Client()
    response = browser.get("/staff-7f3a/login/")
    assert "Sign in" in BeautifulSoup(response.content, "html.parser").title.get_text()
    assert "script-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    browser.force_login(staff)
    assert browser.get("/staff-7f3a/").status_code == 200


# Mail over TLS


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A certificate for 127.0.0.1 from a test authority that this process trusts."""
    import ssl

    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return server_context


@pytest.mark.parametrize("mode", ["EMAIL_USE_TLS", "EMAIL_USE_SSL"])
def test_mail_goes_over_tls_when_configured(settings, tls, mode):
    from django.core.mail import send_mail

    collector = Collector()
    if mode == "EMAIL_USE_SSL":
        controller = SMTPController(collector, hostname="127.0.0.1", port=0, ssl_context=tls)
    else:
        controller = SMTPController(
            collector,
            hostname="127.0.0.1",
            port=0,
            server_kwargs={"tls_context": tls, "require_starttls": True},
        )
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = mode == "EMAIL_USE_TLS"
        settings.EMAIL_USE_SSL = mode == "EMAIL_USE_SSL"
        send_mail("Over TLS", "Hello", "site@clinic.example", ["desk@clinic.example"])
    finally:
        controller.stop()
    [envelope] = collector.envelopes
    assert envelope.rcpt_tos == ["desk@clinic.example"]
    assert b"Subject: Over TLS" in envelope.original_content


@pytest.mark.parametrize(
    "limit, refused",
    [(2700, False), (0, False), (60000, False), (60001, True), (-1, True), ("2700x", True)],
)
def test_the_database_wait_limit_is_whole_milliseconds_up_to_a_minute(settings, limit, refused):
    settings.DATABASE_WAIT_LIMIT = limit
    assert ("home.E003" in [message.id for message in run_checks()]) is refused
