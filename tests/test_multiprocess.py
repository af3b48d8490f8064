"""Two app servers (gunicorn, production settings) on one PostgreSQL database, as on two hosts:
a change made in a third process shows at once on both, whether they share Redis or each
keeps its own local-memory cache; the contact form's rate limit counts across both; and a
publish purges the CDN through the task worker."""

import contextlib
import gzip

import pytest
from django.conf import settings

from forms.models import ContactSubmission
from procedures.models import Reference
from tests.cdn import PurgeRecorder
from tests.conftest import need_redis
from tests.live import (
    Visitor,
    Worker,
    gunicorn,
    load_site,
    need_postgresql,
    production_env,
    thanked,
    wait_for,
)
from tests.servers import manage


@pytest.fixture
def servers(django_db_serialized_rollback, transactional_db, tmp_path):
    """`servers(n, **env)` starts n gunicorns of one worker each on the demo site."""
    need_postgresql()
    load_site()
    with contextlib.ExitStack() as stack:

        def start(count, **env):
            sites = []
            for number in range(count):
                workdir = tmp_path / f"server-{number}"
                workdir.mkdir()
                sites.append(
                    stack.enter_context(
                        gunicorn(production_env(workdir, **env), workdir, "--workers", "1")
                    )
                )
            return sites

        yield start


PROLOTHERAPY = "/procedures/prolotherapy/"


def kept(site, path):
    """GET `path` until the server answers it from its page cache (at most twice)."""
    for _ in range(2):
        response = site.request("GET", path)
        assert response.status == 200, response.text
        if response.headers["X-Page-Cache"] == "hit":
            return response.text
    raise AssertionError(f"{path} was not kept by {site.base_url}")


def publish_elsewhere(tmp_path, code, **env):
    """Run `code` in another process with the production settings (`manage.py shell`), as the
    admin's process would: Wagtail's signals fire there, not in the servers."""
    manage(production_env(tmp_path, **env), "shell", "-c", code)


PUBLISH_SUMMARY = """
from procedures.models import ProcedurePage
page = ProcedurePage.objects.get(slug="prolotherapy")
page.summary = "Published from another process."
page.save_revision().publish()
"""


@pytest.mark.parametrize("shared_cache", [True, False], ids=["redis", "local-memory"])
def test_a_change_made_elsewhere_shows_at_once_on_every_server(servers, tmp_path, shared_cache):
    if shared_cache:
        need_redis()
    cache_env = {"REDIS_URL": settings.REDIS_URL if shared_cache else ""}
    first, second = servers(2, **cache_env)
    for site in (first, second):
        assert "A corrected title of the cited study" not in kept(site, PROLOTHERAPY)

    # A reference changed through the ORM, as the admin does, in this process.
    reference = Reference.objects.get(pmid="34046305")
    reference.title = "A corrected title of the cited study"
    reference.save()
    for site in (first, second):
        response = site.request("GET", PROLOTHERAPY)
        assert "A corrected title of the cited study" in response.text
        assert "Published from another process." not in kept(site, PROLOTHERAPY)

    # A page published by another process with the production settings.
    publish_elsewhere(tmp_path, PUBLISH_SUMMARY, **cache_env)
    for site in (first, second):
        assert "Published from another process." in site.request("GET", PROLOTHERAPY).text


def test_the_contact_forms_rate_limit_counts_across_servers(servers):
    need_redis()
    first, second = servers(2, CONTACT_RATE_LIMIT=2)
    assert thanked(Visitor(first).contact_form(message="The first message"))
    assert thanked(Visitor(second).contact_form(message="The second message"))
    refused = Visitor(first).contact_form(message="The third message")
    assert refused.status == 429
    assert "You have sent several messages in a short time" in refused.text
    refused = Visitor(second).contact_form(message="The fourth message")
    assert refused.status == 429
    assert sorted(s.form_data["message"] for s in ContactSubmission.objects.all()) == [
        "The first message",
        "The second message",
    ]


def test_a_publish_purges_the_cdn_through_the_task_worker(
    django_db_serialized_rollback, transactional_db, tmp_path
):
    need_postgresql()
    load_site()
    with PurgeRecorder() as cdn:
        env = {"FRONTEND_CACHE_URL": cdn.url}
        publish_elsewhere(tmp_path, PUBLISH_SUMMARY, **env)
        assert cdn.purged == []  # queued for the worker, not sent by the page's publisher
        worker = Worker(production_env(tmp_path, **env), tmp_path).start()
        try:
            wait_for(
                lambda: {PROLOTHERAPY, "/procedures/", "/"} <= {path for _, path in cdn.purged},
                what="the purge of the published page and the pages that list it",
            )
        finally:
            worker.stop()


def test_under_gunicorn_kept_pages_are_public_and_gzipped_the_rest_private(servers):
    [site] = servers(1)
    gzip_ok = {"Accept-Encoding": "gzip"}
    kept(site, PROLOTHERAPY)
    page = site.request("GET", PROLOTHERAPY, headers=gzip_ok)
    assert page.headers["X-Page-Cache"] == "hit"
    assert page.headers["Content-Encoding"] == "gzip"
    assert "s-maxage=" in page.headers["Cache-Control"]
    assert "public" in page.headers["Cache-Control"]
    assert b"Side effects of prolotherapy" in gzip.decompress(page.body)
    assert page.headers["Strict-Transport-Security"]  # the outer middleware still adds theirs
    assert page.headers["Content-Security-Policy"]

    for path in ("/contact/", "/admin/login/"):
        response = site.request("GET", path, headers=gzip_ok)
        assert response.status == 200, response.text
        assert "no-store" in response.headers["Cache-Control"]
        assert "private" in response.headers["Cache-Control"]
        assert "Cookie" in response.headers["Vary"]
        assert "Content-Encoding" not in response.headers
        assert "X-Page-Cache" not in response.headers
