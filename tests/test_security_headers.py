"""Each security header by name and exact value, on a public page (rendered, then answered
from the page cache), on the admin's pages and on a "not found" page, under the production
settings' security values (clinic_site/settings/production.py, read with its environment
variables unset) and requests arriving over HTTPS through the proxy, as in production.

Content-Security-Policy is compared directive by directive: django-csp writes the
directives in no fixed order."""

import importlib

import pytest

from home.demo import staff_password

# The production settings that decide headers and cookies.
SECURITY_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_REFERRER_POLICY",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]
ENVIRONMENT = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
]

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}  # as nginx says it in production

PUBLIC_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: https://tile.openstreetmap.org",
    "font-src": "'self'",
    "connect-src": "'self'",
    "media-src": "'self'",
    "object-src": "'none'",
    "frame-src": "'self'",
    "frame-ancestors": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
}
ADMIN_POLICY = {
    **PUBLIC_POLICY,
    "script-src": "'self' 'unsafe-inline'",
    "style-src": "'self' 'unsafe-inline'",
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


@pytest.fixture
def production(settings, monkeypatch):
    """Apply the production settings' security values, read with `env` in the environment."""

    def apply(**env):
        for name in ENVIRONMENT:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("SECRET_KEY", "a-test-secret-key-that-is-long-and-random-enough")
        monkeypatch.setenv("DATABASE_URL", "postgres://clinic@127.0.0.1:5432/clinic")
        monkeypatch.setenv("EMAIL_HOST", "127.0.0.1")
        module = importlib.reload(importlib.import_module("clinic_site.settings.production"))
        for name in SECURITY_SETTINGS:
            setattr(settings, name, getattr(module, name))

    apply()
    return apply


def policy(response):
    """The Content-Security-Policy header as {directive: its sources, as written}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, _, sources = part.strip().partition(" ")
        assert name not in directives, f"{name} given twice"
        directives[name] = sources
    return directives


def assert_security_headers(response, content_security_policy):
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert policy(response) == content_security_policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY


@pytest.mark.parametrize("url", ["/", "/procedures/", "/procedures/prolotherapy/"])
def test_a_public_page_sends_each_security_header_rendered_and_from_the_cache(
    client, demo_content, production, url
):
    rendered = client.get(url, **HTTPS)
    assert (rendered.status_code, rendered["X-Page-Cache"]) == (200, "miss")
    assert_security_headers(rendered, PUBLIC_POLICY)

    kept = client.get(url, **HTTPS)
    assert (kept.status_code, kept["X-Page-Cache"]) == (200, "hit")
    assert_security_headers(kept, PUBLIC_POLICY)


def test_the_contact_page_with_its_form_sends_each_security_header(
    client, demo_content, production
):
    response = client.get("/contact/", **HTTPS)
    assert response.status_code == 200
    assert "X-Page-Cache" not in response  # a form: never kept
    assert_security_headers(response, PUBLIC_POLICY)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/admin/", 200),
        ("/admin/pages/", 200),
        ("/admin/procedures/procedurepage/", 200),
        ("/admin/no-such-page/", 404),
    ],
)
def test_the_admins_pages_send_each_security_header_with_the_admins_policy(
    client, demo_content, production, url, status
):
    assert client.login(username="editor", password=staff_password("editor"))
    response = client.get(url, **HTTPS)
    assert response.status_code == status
    assert_security_headers(response, ADMIN_POLICY)


def test_the_admins_login_page_sends_each_security_header_with_the_admins_policy(
    client, demo_content, production
):
    response = client.get("/admin/login/", **HTTPS)
    assert response.status_code == 200
    assert_security_headers(response, ADMIN_POLICY)


@pytest.mark.parametrize("url", ["/no-such-page/", "/procedures/no-such-treatment/"])
def test_a_not_found_page_sends_each_security_header(client, demo_content, production, url):
    response = client.get(url, **HTTPS)
    assert response.status_code == 404
    assert_security_headers(response, PUBLIC_POLICY)


# Strict-Transport-Security: over HTTPS only, as the environment sets it.


def test_over_plain_http_the_site_redirects_to_https_without_an_hsts_header(
    client, demo_content, production
):
    response = client.get("/procedures/", HTTP_X_FORWARDED_PROTO="http")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/procedures/"
    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "max-age=31536000"),
        ({"SECURE_HSTS_SECONDS": "1"}, "max-age=1"),
        ({"SECURE_HSTS_INCLUDE_SUBDOMAINS": "true"}, "max-age=31536000; includeSubDomains"),
        (
            {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "true", "SECURE_HSTS_PRELOAD": "true"},
            "max-age=31536000; includeSubDomains; preload",
        ),
        # Only "true" turns them on.
        (
            {"SECURE_HSTS_INCLUDE_SUBDOMAINS": "yes", "SECURE_HSTS_PRELOAD": "1"},
            "max-age=31536000",
        ),
    ],
)
def test_hsts_follows_the_environment(client, demo_content, production, env, expected):
    production(**env)
    response = client.get("/", **HTTPS)
    assert response["Strict-Transport-Security"] == expected


def test_hsts_seconds_0_sends_no_hsts_header(client, demo_content, production):
    production(SECURE_HSTS_SECONDS="0")
    response = client.get("/", **HTTPS)
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


# Cookies


def test_the_admins_cookies_are_sent_over_https_only(client, demo_content, production):
    login = client.get("/admin/login/", **HTTPS)
    csrf = login.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"

    response = client.post(
        "/admin/login/",
        {"username": "editor", "password": staff_password("editor"), "next": "/admin/"},
        **HTTPS,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
