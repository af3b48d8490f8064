"""Hardening: the login throttle, security headers, security.txt, the admin's path, and the
set-up commands that production uses."""

import io
import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import Page, Site

from forms.models import ContactFormPage
from home.models import ClinicSettings, HomePage
from procedures.models import ProcedureIndexPage, ProcedurePage

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


def test_another_address_is_not_locked_out(staff):
    attacker = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
    for attempt in range(5):
        log_in(attacker, "ana", f"guess-{attempt}")
    staff_member = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.7")
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

    sitemap = client.get("/sitemap.xml", HTTP_HOST="clinic.example").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert sorted(locations) == [
        "https://clinic.example/",
        "https://clinic.example/contact/",
        "https://clinic.example/procedures/",
    ]
    assert contact.full_url == "https://clinic.example/contact/"
    assert "localhost" not in sitemap

    # Run again (a new host name): nothing is created twice, the Site follows.
    setup_site(monkeypatch, SITE_HOSTNAME="www.clinic.example", SITE_PORT="8443")
    assert Page.objects.count() == 4  # the tree's root, home, treatments, contact
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
