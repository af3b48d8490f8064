"""Behind a reverse proxy: the contact form's rate limit counts each patient by the address
the trusted proxy saw, which a client cannot forge; and under the shipped gunicorn config a
client that never finishes sending its request does not stop the site answering others."""

import socket

import pytest

from forms.models import ContactSubmission
from tests.live import gunicorn, load_site, need_postgresql, production_env
from tests.test_contact_form import URL, form_data, soup_of

PROXY = "10.0.0.2"


def post(client, forwarded_for=None, **changes):
    headers = {"REMOTE_ADDR": PROXY}
    if forwarded_for:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(URL, form_data(client, **changes), **headers)


@pytest.fixture
def limit_two_behind_one_proxy(settings):
    settings.CONTACT_RATE_LIMIT = 2
    settings.TRUSTED_PROXY_COUNT = 1


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(
    client, demo_content, limit_two_behind_one_proxy
):
    # The proxy appends the address it saw (203.0.113.5) to whatever the client sent.
    assert post(client, "203.0.113.5").status_code == 200
    assert post(client, "198.51.100.1, 203.0.113.5").status_code == 200
    refused = post(client, "198.51.100.2, 192.0.2.9, 203.0.113.5")
    assert refused.status_code == 429
    assert "sent several messages in a short time" in soup_of(refused).get_text()
    assert ContactSubmission.objects.count() == 2


def test_two_patients_behind_the_proxy_have_separate_limits(
    client, demo_content, limit_two_behind_one_proxy
):
    for _ in range(2):
        assert post(client, "203.0.113.5").status_code == 200
    assert post(client, "203.0.113.5").status_code == 429
    for _ in range(2):
        assert post(client, "203.0.113.6").status_code == 200
    assert ContactSubmission.objects.count() == 4


def test_without_a_trusted_proxy_the_forwarded_for_header_is_ignored(
    client, demo_content, settings
):
    settings.CONTACT_RATE_LIMIT = 2
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert post(client, "203.0.113.5").status_code == 200
    assert post(client, "203.0.113.6").status_code == 200
    assert post(client, "203.0.113.7").status_code == 429
    assert ContactSubmission.objects.count() == 2


def test_messages_refused_for_a_mistake_do_not_use_up_the_limit(
    client, demo_content, limit_two_behind_one_proxy
):
    for _ in range(3):
        response = post(client, "203.0.113.5", email="not an address")
        assert response.status_code == 200
        assert "correct format" in soup_of(response).select_one(".error-summary").get_text()
    assert ContactSubmission.objects.count() == 0

    for _ in range(2):
        response = post(client, "203.0.113.5")
        assert soup_of(response).find("h1").get_text(strip=True).startswith("Thank you")
    assert post(client, "203.0.113.5").status_code == 429
    assert ContactSubmission.objects.count() == 2


def stalled_post(port):
    """A POST to the contact form whose body never arrives. Its Origin and CSRF cookie pass
    Django's checks of the headers, so the site goes on to read the body (for the token)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        b"POST /contact/ HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\n"
        b"Origin: https://localhost\r\nCookie: csrftoken=" + b"a" * 32 + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
        b"name=Ana"
    )
    return sock


def test_posts_whose_body_never_arrives_do_not_freeze_the_site(
    django_db_serialized_rollback, transactional_db, tmp_path
):
    need_postgresql()
    load_site()
    with gunicorn(production_env(tmp_path), tmp_path) as site:
        # As many as the shipped config starts processes (WEB_CONCURRENCY, 2).
        stalled = [stalled_post(site.port) for _ in range(2)]
        try:
            for path in ("/", "/procedures/prolotherapy/"):
                response = site.request("GET", path, timeout=20)
                print(f"\n  GET {path} beside 2 stalled POSTs: {response.seconds:.3f} s")
                assert response.status == 200
                assert "Example Clinic" in response.text
        finally:
            for sock in stalled:
                sock.close()
