"""Many visitors asking for the same page at once right after a change (pagecache/middleware.py):
the page is rendered once, by the first of them, while the others get the previous copy for
those few moments (stale-while-revalidate), marked so that no browser or CDN keeps it."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.signals import template_rendered

from pagecache.middleware import PageCacheMiddleware
from pagecache.models import content_version, new_content_version
from procedures.models import ProcedurePage
from tests.conftest import load_demo_content

PROLOTHERAPY = "/procedures/prolotherapy/"
PAGE_TEMPLATE = "procedures/procedure_page.html"
VISITORS = 8


def key_of(path):
    """The page cache's key of `path` as the test client asks for it."""
    return PageCacheMiddleware(lambda request: None).cache_key(RequestFactory().get(path))


def change_summary(text):
    page = ProcedurePage.objects.get(slug="prolotherapy")
    page.summary = text
    page.save_revision().publish()


def test_while_a_page_is_rendered_again_the_others_get_the_previous_copy(client, demo_content):
    before = client.get(PROLOTHERAPY)
    change_summary("A summary revised just now.")
    # Another request is rendering the page under the new version: it holds the lock.
    rendering = PageCacheMiddleware.rendering_key(key_of(PROLOTHERAPY), content_version())
    assert cache.add(rendering, True, 5)

    stale = client.get(PROLOTHERAPY)
    assert stale["X-Page-Cache"] == "stale"
    assert stale.content == before.content
    assert stale["Cache-Control"] == "no-store"  # neither a browser nor a CDN may keep it

    cache.delete(rendering)  # that render is done (or gave up)
    fresh = client.get(PROLOTHERAPY)
    assert fresh["X-Page-Cache"] == "miss"
    assert "A summary revised just now." in fresh.content.decode()
    assert "no-store" not in fresh["Cache-Control"]


def test_a_page_that_can_no_longer_be_kept_leaves_no_previous_copy(client, demo_content):
    """Unpublished: its first visitor gets the 404, and so does everyone after, even while
    another request renders it."""
    client.get(PROLOTHERAPY)
    ProcedurePage.objects.get(slug="prolotherapy").unpublish()
    assert client.get(PROLOTHERAPY).status_code == 404
    assert cache.get(key_of(PROLOTHERAPY)) is None
    rendering = PageCacheMiddleware.rendering_key(key_of(PROLOTHERAPY), content_version())
    assert cache.add(rendering, True, 5)
    assert client.get(PROLOTHERAPY).status_code == 404


def test_the_lock_outlives_a_kept_render_and_not_one_that_could_not_be_kept(client, demo_content):
    """Kept: the lock stays until it expires, so that a request that read the previous copy
    just before the fresh one was kept gets the previous copy rather than rendering the page
    again. Not kept: it goes at once, so that the next request renders."""
    client.get(PROLOTHERAPY)
    new_content_version()
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "miss"
    rendering = PageCacheMiddleware.rendering_key(key_of(PROLOTHERAPY), content_version())
    assert cache.get(rendering)
    assert client.get(PROLOTHERAPY)["X-Page-Cache"] == "hit"

    ProcedurePage.objects.get(slug="prolotherapy").unpublish()
    assert client.get(PROLOTHERAPY).status_code == 404
    rendering = PageCacheMiddleware.rendering_key(key_of(PROLOTHERAPY), content_version())
    assert cache.get(rendering) is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_visitors_at_once_after_a_publish_cost_one_render():
    """VISITORS requests at once, in threads of their own (each with its own database
    connection, as gunicorn's threads have), right after a publish. The first render is held
    until every other visitor has been answered, so that all of them arrive during it."""
    load_demo_content()
    Client().get(PROLOTHERAPY)
    assert Client().get(PROLOTHERAPY)["X-Page-Cache"] == "hit"  # kept
    change_summary("A summary published a moment ago.")

    renders = []
    others_answered = threading.Event()
    answers = []
    lock = threading.Lock()

    def rendered(sender, template, **kwargs):
        if template.name == PAGE_TEMPLATE:
            renders.append(threading.get_ident())
            others_answered.wait(timeout=10)

    def visit(start):
        try:
            start.wait()
            response = Client().get(PROLOTHERAPY)
            with lock:
                answers.append(response)
                if len(answers) == VISITORS - 1:
                    others_answered.set()
        finally:
            connection.close()

    template_rendered.connect(rendered)
    try:
        start = threading.Barrier(VISITORS)
        threads = [threading.Thread(target=visit, args=(start,)) for _ in range(VISITORS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        template_rendered.disconnect(rendered)

    states = sorted(response["X-Page-Cache"] for response in answers)
    assert len(renders) == 1, states
    assert states == ["miss"] + ["stale"] * (VISITORS - 1)
    [fresh] = [response for response in answers if response["X-Page-Cache"] == "miss"]
    assert "A summary published a moment ago." in fresh.content.decode()
    after = Client().get(PROLOTHERAPY)
    assert after["X-Page-Cache"] == "hit"
    assert after.content == fresh.content
