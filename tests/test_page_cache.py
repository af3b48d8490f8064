"""Whole public pages kept for visitors without a session (pagecache/): what is kept, what never
is, what a kept page costs, how a change shows at once, the headers a CDN reads, compression,
the CDN purge, and a Redis that fails."""

import contextlib
import gzip
import time

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page, PageViewRestriction

from base.models import ClinicSettings
from home.models import FeaturedTreatment, HomePage
from locations.models import ClinicLocation
from pagecache.models import new_content_version
from procedures.models import BodyArea, ProcedurePage, Reference
from tests.cdn import PurgeRecorder
from tests.conftest import add_procedures, need_redis
from tests.live import hung_port

PROLOTHERAPY = "/procedures/prolotherapy/"
INDEX = "/procedures/"


@pytest.fixture
def prolotherapy(demo_content):
    return ProcedurePage.objects.get(slug="prolotherapy")


def text_of(response):
    return BeautifulSoup(response.content, "html.parser").get_text(" ", strip=True)


def cached(client, url, django_assert_num_queries):
    """GET `url` twice; the second answer comes from the page cache, at one query (the content
    version), or none where the version is kept in the shared cache (Redis). Returns the
    page's text."""
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0 if settings.PAGE_CACHE_VERSION_IN_CACHE else 1):
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    return text_of(second)


def not_kept(response):
    return "X-Page-Cache" not in response and "no-store" in response["Cache-Control"]


# What is kept, and what it costs


def test_a_second_visit_is_answered_from_the_cache_with_one_query(
    client, prolotherapy, django_assert_num_queries
):
    text = cached(client, PROLOTHERAPY, django_assert_num_queries)
    assert "Side effects of prolotherapy" in text


def test_a_head_request_is_answered_from_the_kept_page_without_a_body(client, prolotherapy):
    page = client.get(PROLOTHERAPY)
    head = client.head(PROLOTHERAPY)
    assert head.status_code == 200
    assert head["X-Page-Cache"] == "hit"
    assert head.content == b""
    assert head["Content-Length"] == str(len(page.content))


def test_kept_pages_tell_browsers_and_cdns_how_long_to_keep_them(client, prolotherapy):
    response = client.get(PROLOTHERAPY)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert directives == {
        "public",
        f"max-age={settings.BROWSER_CACHE_SECONDS}",
        f"s-maxage={settings.CDN_CACHE_SECONDS}",
    }
    assert {v.strip() for v in response["Vary"].split(",")} >= {"Cookie", "Accept-Encoding"}
    assert not response.cookies


def test_staff_get_their_own_page_never_the_kept_one(client, admin_client, prolotherapy):
    anonymous = client.get(PROLOTHERAPY)
    assert anonymous["X-Page-Cache"] == "miss"
    assert "wagtail-userbar" not in anonymous.content.decode()

    staff = admin_client.get(PROLOTHERAPY)
    assert not_kept(staff)
    assert "private" in staff["Cache-Control"]
    assert "wagtail-userbar" in staff.content.decode()  # the staff's own toolbar

    # What staff were shown was not kept for others either.
    client.get("/")
    admin_client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert "wagtail-userbar" not in client.get("/").content.decode()


def test_the_contact_page_is_never_kept(client, demo_content):
    first = client.get("/contact/", HTTP_ACCEPT_ENCODING="gzip")
    second = client.get("/contact/", HTTP_ACCEPT_ENCODING="gzip")
    for response in (first, second):
        assert response.status_code == 200
        assert not_kept(response)
        assert "private" in response["Cache-Control"]
        assert "Cookie" in response["Vary"]
        assert "Content-Encoding" not in response  # it holds a CSRF token: never compressed
        assert "csrftoken" in response.cookies
    key = 'name="captcha_0" value="'
    captcha = [r.content.decode().split(key)[1].split('"')[0] for r in (first, second)]
    assert captcha[0] != captcha[1]  # a new captcha for each visit


def test_a_contact_message_with_mistakes_is_answered_afresh(client, demo_content):
    client.get("/contact/")
    response = client.post("/contact/", {"name": "", "message": "Hello"})
    assert "There is a problem" in response.content.decode()
    assert not_kept(response)
    assert not_kept(client.get("/contact/"))


def test_previews_and_the_admin_are_never_kept(admin_client, client, prolotherapy):
    client.get(PROLOTHERAPY)  # the live page is kept
    prolotherapy.summary = "A draft summary, not yet approved."
    prolotherapy.save_revision()
    preview = admin_client.get(f"/admin/pages/{prolotherapy.pk}/view_draft/")
    assert "A draft summary" in preview.content.decode()
    assert "no-store" in preview["Cache-Control"]
    live = client.get(PROLOTHERAPY)
    assert live["X-Page-Cache"] == "hit"
    assert "A draft summary" not in live.content.decode()
    assert not_kept(client.get("/admin/login/"))


def test_errors_redirects_and_private_pages_are_not_kept(client, prolotherapy):
    assert not_kept(client.get("/no-such-page/"))
    assert not_kept(client.get("/procedures"))  # redirected to /procedures/
    PageViewRestriction.objects.create(page=prolotherapy, restriction_type="login")
    response = client.get(PROLOTHERAPY)
    assert response.status_code == 302
    assert not_kept(response)


# Query strings


def test_the_treatments_lists_own_pages_are_kept(client, demo_content, django_assert_num_queries):
    knee = BodyArea.objects.get(slug="knee")
    add_procedures(25, body_areas=[knee])
    assert "Sample treatment 025" in cached(client, INDEX + "?page=2", django_assert_num_queries)
    assert "Prolotherapy" in cached(client, INDEX + "?area=knee", django_assert_num_queries)
    text = cached(client, INDEX + "?area=knee&page=2", django_assert_num_queries)
    assert "Sample treatment 025" in text


@pytest.mark.parametrize(
    "query",
    [
        "?page=1",  # the list's own address is /procedures/
        "?page=999",  # shows the last page: not its own address
        "?page=abc",
        "?area=no-such-area",  # an error next to the filter
        "?area=knee&area=back",
        "?utm_source=newsletter",  # any other parameter
    ],
)
def test_other_addresses_of_the_list_are_not_kept(client, demo_content, query):
    for _ in range(2):
        response = client.get(INDEX + query)
        assert response.status_code == 200
        assert not_kept(response)


def test_search_results_are_not_kept_but_the_search_page_is(client, demo_content):
    assert not_kept(client.get("/search/?q=knee"))
    client.get("/search/")
    assert client.get("/search/")["X-Page-Cache"] == "hit"


# A change shows at once


def publish(page):
    page.save_revision().publish()


def change_summary(prolotherapy):
    prolotherapy.summary = "A revised summary of prolotherapy."
    publish(prolotherapy)
    return "A revised summary of prolotherapy."


def change_reference(prolotherapy):
    reference = Reference.objects.get(pmid="34046305")
    reference.title = "A corrected title of the cited study"
    reference.save()
    return "A corrected title of the cited study"


def change_location(prolotherapy):
    location = ClinicLocation.objects.get()
    location.street_address = "2 Example Street"
    location.save()
    return "2 Example Street"


def change_body_area(prolotherapy):
    knee = BodyArea.objects.get(name="Knee")
    knee.name = "Knee joint"
    knee.save()
    return "Knee joint"


def change_clinic_settings(prolotherapy):
    clinic = ClinicSettings.objects.get()
    clinic.phone = "+44 20 7946 0999"
    clinic.save()
    return "+44 20 7946 0999"


def feature_a_treatment(prolotherapy):
    [sample] = add_procedures(1, title="Newly featured treatment")
    home = HomePage.objects.get()
    home.featured_treatments.add(FeaturedTreatment(procedure=sample))
    publish(home)
    return "Newly featured treatment 001"


@pytest.mark.parametrize(
    ("url", "change"),
    [
        (PROLOTHERAPY, change_summary),
        (PROLOTHERAPY, change_reference),
        ("/", change_location),
        (INDEX, change_body_area),
        (PROLOTHERAPY, change_clinic_settings),
        ("/", feature_a_treatment),
    ],
)
def test_a_change_shows_at_once_on_kept_pages(
    client, prolotherapy, django_assert_num_queries, url, change
):
    before = cached(client, url, django_assert_num_queries)
    new_text = change(prolotherapy)
    assert new_text not in before
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert new_text in text_of(response)


def test_an_unpublished_page_is_gone_at_once(client, prolotherapy, django_assert_num_queries):
    assert "Prolotherapy" in cached(client, INDEX, django_assert_num_queries)
    cached(client, PROLOTHERAPY, django_assert_num_queries)
    prolotherapy.unpublish()
    assert client.get(PROLOTHERAPY).status_code == 404
    assert "Prolotherapy" not in text_of(client.get(INDEX))


def test_a_deleted_page_is_gone_at_once(client, demo_content, django_assert_num_queries):
    [sample] = add_procedures(1, title="Soon deleted")
    assert "Soon deleted 001" in cached(client, INDEX, django_assert_num_queries)
    cached(client, "/procedures/soon-deleted-001/", django_assert_num_queries)
    Page.objects.get(pk=sample.pk).delete()
    assert client.get("/procedures/soon-deleted-001/").status_code == 404
    assert "Soon deleted 001" not in text_of(client.get(INDEX))


def test_a_moved_page_leaves_its_old_address_at_once(
    client, demo_content, django_assert_num_queries
):
    [sample] = add_procedures(1, title="Soon moved")
    assert "Soon moved 001" in cached(client, INDEX, django_assert_num_queries)
    cached(client, "/procedures/soon-moved-001/", django_assert_num_queries)
    sample.move(HomePage.objects.get(), pos="last-child")
    old_address = client.get("/procedures/soon-moved-001/")
    assert old_address.status_code == 301  # Wagtail's redirect to the new address
    assert old_address["Location"] == "/soon-moved-001/"
    assert client.get("/soon-moved-001/").status_code == 200
    assert "Soon moved 001" not in text_of(client.get(INDEX))


def test_a_page_made_private_is_no_longer_served_from_the_cache(client, prolotherapy):
    client.get(PROLOTHERAPY)
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "hit"
    PageViewRestriction.objects.create(page=prolotherapy, restriction_type="login")
    assert client.get(PROLOTHERAPY).status_code == 302


def test_saving_a_draft_keeps_the_kept_pages(client, prolotherapy):
    client.get(PROLOTHERAPY)
    prolotherapy.summary = "A draft nobody sees yet."
    prolotherapy.save_revision()
    response = client.get(PROLOTHERAPY)
    assert response["X-Page-Cache"] == "hit"
    assert "A draft nobody sees yet." not in response.content.decode()


# Compression


def test_kept_pages_are_gzipped_for_browsers_that_accept_it(client, prolotherapy):
    plain = client.get(PROLOTHERAPY)  # kept
    new_content_version()  # so that the next visit renders it again
    for attempt in ("miss", "hit"):
        response = client.get(PROLOTHERAPY, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["X-Page-Cache"] == attempt
        assert response["Content-Encoding"] == "gzip"
        assert response["Content-Length"] == str(len(response.content))
        assert gzip.decompress(response.content) == plain.content
    print(f"\n  prolotherapy page: {len(plain.content)} bytes, gzipped {len(response.content)}")
    assert len(response.content) < len(plain.content) / 3
    # A browser that does not accept gzip gets the page as it is, from the same kept copy.
    again = client.get(PROLOTHERAPY)
    assert again["X-Page-Cache"] == "hit"
    assert "Content-Encoding" not in again
    assert again.content == plain.content


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("gzip;q=0.5", True),
        ("GZIP; Q=1.0", True),  # names and weights are case-insensitive
        ("x-gzip", True),  # the same coding, RFC 9110
        ("*", True),  # any coding
        ("br, *;q=0.1", True),
        ("gzip;q=0", False),  # gzip refused
        ("gzip; q=0.000", False),
        ("*;q=0", False),  # every coding refused that is not named: gzip among them
        ("gzip;q=0, *", False),  # named and refused: the "*" does not bring it back
        ("identity", False),
        ("deflate, br", False),
        ("gzip;q=abc", False),  # not a weight
        ("", False),
    ],
)
def test_gzip_only_for_clients_that_accept_it(client, prolotherapy, accept_encoding, gzipped):
    plain = client.get(PROLOTHERAPY, HTTP_ACCEPT_ENCODING="identity")  # kept, gzipped
    for attempt in ("hit", "miss"):
        if attempt == "miss":
            new_content_version()
        response = client.get(PROLOTHERAPY, HTTP_ACCEPT_ENCODING=accept_encoding)
        assert response["X-Page-Cache"] == attempt
        assert "Accept-Encoding" in response["Vary"]
        assert response["Content-Length"] == str(len(response.content))
        if gzipped:
            assert response["Content-Encoding"] == "gzip"
            assert gzip.decompress(response.content) == plain.content
        else:
            assert "Content-Encoding" not in response
            assert response.content == plain.content


# The CDN purge (wagtail.contrib.frontend_cache)


PURGE_BACKEND = "wagtail.contrib.frontend_cache.backends.HTTPBackend"


@pytest.fixture
def cdn():
    with PurgeRecorder() as recorder:
        yield recorder


@contextlib.contextmanager
def purging(cdn, capture_on_commit_callbacks):
    """Changes made inside are purged from `cdn`, once committed."""
    proxy = {"BACKEND": PURGE_BACKEND, "LOCATION": cdn.url}
    with override_settings(WAGTAILFRONTENDCACHE={"proxy": proxy}):
        with capture_on_commit_callbacks(execute=True):
            yield


def purged_paths(cdn):
    return {path for _, path in cdn.purged}


def test_publishing_purges_the_cdn(cdn, prolotherapy, django_capture_on_commit_callbacks):
    with purging(cdn, django_capture_on_commit_callbacks):
        prolotherapy.summary = "A revised summary."
        publish(prolotherapy)
    # The page itself, and the pages that list or link it.
    assert {PROLOTHERAPY, INDEX, "/", "/sitemap.xml"} <= purged_paths(cdn)
    assert {host for host, _ in cdn.purged} == {prolotherapy.get_site().hostname}


def test_a_changed_reference_purges_the_pages_that_cite_it(
    cdn, prolotherapy, django_capture_on_commit_callbacks
):
    with purging(cdn, django_capture_on_commit_callbacks):
        reference = Reference.objects.get(pmid="34046305")
        reference.title = "A corrected title"
        reference.save()
    assert PROLOTHERAPY in purged_paths(cdn)


def test_a_moved_page_purges_its_old_address(cdn, demo_content, django_capture_on_commit_callbacks):
    [sample] = add_procedures(1, title="Soon moved")
    with purging(cdn, django_capture_on_commit_callbacks):
        sample.move(HomePage.objects.get(), pos="last-child")
    assert {"/procedures/soon-moved-001/", "/soon-moved-001/"} <= purged_paths(cdn)


@pytest.mark.parametrize("remove", ["unpublish", "delete"])
def test_a_page_unpublished_or_deleted_is_purged_at_its_address(
    cdn, demo_content, django_capture_on_commit_callbacks, remove
):
    [sample] = add_procedures(1, title="Soon gone")
    with purging(cdn, django_capture_on_commit_callbacks):
        getattr(Page.objects.get(pk=sample.pk), remove)()
    assert "/procedures/soon-gone-001/" in purged_paths(cdn)
    assert INDEX in purged_paths(cdn)


def test_without_a_cdn_no_purge_task_is_queued(
    prolotherapy, settings, django_capture_on_commit_callbacks
):
    """As in production: tasks are queued in the database for the worker, which works out the
    addresses to purge; the publish itself only queues one task naming the page."""
    assert not getattr(settings, "WAGTAILFRONTENDCACHE", None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        publish(prolotherapy)
    purges = DBTaskResult.objects.filter(task_path__contains="purge")
    assert not purges.exists()
    proxy = {"BACKEND": PURGE_BACKEND, "LOCATION": "http://127.0.0.1:9"}  # never reached
    with override_settings(WAGTAILFRONTENDCACHE={"proxy": proxy}):
        with django_capture_on_commit_callbacks(execute=True):
            publish(prolotherapy)
    [purge] = purges  # one, however many signals the publish sent
    assert purge.task_path == "pagecache.tasks.purge_changes"
    assert purge.args_kwargs["kwargs"]["pages"] == [prolotherapy.pk]


# The content version kept in Redis


def test_with_redis_a_hit_asks_the_database_nothing_and_a_publish_still_shows_at_once(
    client, prolotherapy, django_assert_num_queries
):
    need_redis()
    assert settings.PAGE_CACHE_VERSION_IN_CACHE
    client.get(PROLOTHERAPY)
    with django_assert_num_queries(0):
        assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "hit"
    prolotherapy.summary = "A changed summary, published."
    prolotherapy.save_revision().publish()
    response = client.get(PROLOTHERAPY)
    assert response["X-Page-Cache"] == "miss"
    assert "A changed summary, published." in text_of(response)


def test_a_version_kept_in_redis_past_its_time_is_read_again_from_the_database(
    client, prolotherapy, django_assert_num_queries
):
    """Another process may have kept the old number just before a change committed: it is
    trusted for PAGE_CACHE_VERSION_SECONDS at most."""
    need_redis()
    from pagecache.models import VERSION_KEY, read_content_version

    client.get(PROLOTHERAPY)
    current = read_content_version()
    cache.set(VERSION_KEY, current - 1, timeout=1)  # an old number, kept for 1 s
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "miss"  # not the number it was kept under
    time.sleep(1.1)
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "miss"  # kept under the old number
    assert cache.get(VERSION_KEY) == current  # read again from the database, and kept
    with django_assert_num_queries(0):
        assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "hit"


# Redis failing


def test_with_redis_hung_a_kept_page_is_still_served(client, prolotherapy):
    """Kept in the real Redis; then Redis stops answering: the page is rendered again."""
    need_redis()
    client.get(PROLOTHERAPY)
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "hit"
    with hung_port() as port:
        hung = {
            **settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        }
        with override_settings(CACHES={"default": hung}):
            for _ in range(2):
                response = client.get(PROLOTHERAPY)
                assert response.status_code == 200
                assert "Side effects of prolotherapy" in text_of(response)
                assert response["X-Page-Cache"] == "miss"
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "hit"  # Redis back, the page still kept
