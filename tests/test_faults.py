"""The site under gunicorn with the production settings keeps serving when Redis or the
database fails. Each test breaks the real service: the site is pointed at a port that refuses
connections or at one that accepts them and never answers, or a real PostgreSQL statement is
made to wait on a lock. Run with -s to see how long each answer took."""

import contextlib

import psycopg
import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from base.models import ClinicSettings
from forms.models import ContactSubmission
from tests.conftest import need_redis
from tests.live import (
    Visitor,
    gunicorn,
    hung_port,
    load_site,
    need_postgresql,
    production_env,
    thanked,
    wait_for,
)
from tests.smtp import SMTPServer, refused_port

# "Within 5 s", as the site promises a visitor when something it depends on fails.
PROMISED_SECONDS = 5

PUBLIC_PAGES = {
    "/": "Example Clinic",
    "/procedures/": "Prolotherapy",
    "/procedures/prolotherapy/": "Side effects of prolotherapy",
    "/contact/": "captcha_1",
    "/sitemap.xml": "/sitemap-pages.xml",
    "/sitemap-pages.xml": "/procedures/prolotherapy/",
}


def report(label, seconds):
    print(f"\n  {label}: {seconds:.3f} s")


@pytest.fixture
def live_site(django_db_serialized_rollback, transactional_db, tmp_path):
    """Start gunicorn (the shipped config) on the demo site; stopped after the test."""
    need_postgresql()
    load_site()
    with contextlib.ExitStack() as stack:
        yield lambda **env: stack.enter_context(gunicorn(production_env(tmp_path, **env), tmp_path))


@pytest.mark.parametrize("fault", ["refused", "hung"])
def test_without_redis_every_public_page_answers_and_a_message_is_kept(live_site, fault):
    with refused_port() as refused, hung_port() as hung:
        port = refused if fault == "refused" else hung
        site = live_site(REDIS_URL=f"redis://127.0.0.1:{port}/0")

        # Twice each: a worker's first request also loads the site's code.
        for attempt in ("first", "again"):
            for path, content in PUBLIC_PAGES.items():
                response = site.request("GET", path)
                report(f"Redis {fault}: GET {path} ({attempt})", response.seconds)
                assert response.status == 200, (path, response.text)
                assert content in response.text
                assert response.seconds < PROMISED_SECONDS

        response = Visitor(site).contact_form(message="Sent while the cache was down")
        report(f"Redis {fault}: POST /contact/", response.seconds)
        assert thanked(response), response.text
        assert response.seconds < PROMISED_SECONDS

    [submission] = ContactSubmission.objects.all()
    assert submission.form_data["message"] == "Sent while the cache was down"
    wait_for(lambda: "Rate limit not applied" in site.stderr, what="the log")
    assert "Exception ignored" in site.stderr  # django-redis logs each failure


def expect_503_page(response, label):
    report(label, response.seconds)
    assert response.status == 503, response.text
    assert response.seconds < PROMISED_SECONDS
    assert response.headers["Retry-After"] == "60"
    assert "Website temporarily unavailable" in response.text
    assert "+44 20 7946 0000" in response.text  # the demo clinic's phone number
    assert 'href="tel:+442079460000"' in response.text
    assert "Traceback" not in response.text
    assert "OperationalError" not in response.text


def test_with_the_database_hung_visitors_get_the_503_page_and_admins_get_the_traceback(
    db, tmp_path
):
    """The database host accepts connections and never answers; the clinic's phone number
    comes from the cache, where the clinic settings put it when they were last saved."""
    need_redis()
    load_site()
    clinic = ClinicSettings.objects.get()
    assert clinic.phone == "+44 20 7946 0000"
    smtp = SMTPServer()
    smtp.start()
    try:
        with hung_port() as port:
            env = production_env(
                tmp_path,
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/clinic",
                ADMINS="Site operators <ops@clinic.example>",
                EMAIL_PORT=smtp.port,
            )
            with gunicorn(env, tmp_path) as site:
                for path in ("/", "/procedures/prolotherapy/", "/contact/"):
                    expect_503_page(site.request("GET", path), f"database hung: GET {path}")
    finally:
        smtp.stop()

    # The error is in gunicorn's log with its traceback, and the operators were mailed.
    assert "Traceback (most recent call last)" in site.stderr
    assert "OperationalError" in site.stderr
    assert len(smtp.envelopes) >= 3  # one per request (and the start-up check's)
    assert all(envelope.rcpt_tos == ["ops@clinic.example"] for envelope in smtp.envelopes)
    assert "OperationalError" in smtp.messages[0].get_body().get_content()


@pytest.fixture
def lock():
    """Hold a table lock from another PostgreSQL connection, as a long transaction does."""
    settings = connection.settings_dict
    holder = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
    )

    def take(table):
        holder.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')

    yield take
    holder.rollback()
    holder.close()


def test_with_a_statement_blocked_in_postgresql_visitors_get_the_503_page(live_site, lock):
    need_redis()  # the 503 page's phone number is in the shared cache
    site = live_site()
    lock("wagtailcore_page")
    expect_503_page(site.request("GET", "/procedures/"), "statement blocked: GET /procedures/")
    # The home page, kept in the page cache when the server was first asked for it, is still
    # served: a kept page reads no page from the database.
    home = site.request("GET", "/")
    assert home.status == 200
    assert home.headers["X-Page-Cache"] == "hit"


def test_a_message_whose_mail_task_cannot_be_saved_is_not_saved_either(live_site, lock):
    need_redis()
    site = live_site()
    visitor = Visitor(site)
    # The message itself is inserted; then queueing its mail waits on the lock until the
    # statement timeout: the whole submission is rolled back.
    lock(DBTaskResult._meta.db_table)
    expect_503_page(visitor.contact_form(), "task table locked: POST /contact/")
    assert ContactSubmission.objects.count() == 0
