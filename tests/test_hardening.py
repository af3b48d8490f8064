"""Hardening: the login throttle, security headers, security.txt, the admin's path, and the
set-up commands that production uses."""

import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

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
def staff(db):
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
