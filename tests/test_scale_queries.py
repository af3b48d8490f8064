"""The treatments list and the search at the size of a clinic group: each query they make is
served by an index, so that its cost does not grow with the number of treatments, and what
would read every treatment (how many there are, the body areas they treat, the menu) is read
once per content version, not on every view. Query plans and counts only: the time they take
at 1,000 and 10,000 treatments is measured by `make bench` (docs/benchmark.md)."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from procedures.models import BodyArea, ProcedurePage
from tests.conftest import add_procedures, add_procedures_in_bulk, need_postgresql

INDEX = "/procedures/"
# A query parameter the page cache does not know: the page is rendered, every other cache warm.
RENDERED = {"bench-miss": "1"}


def warm_view(client, url, **params):
    """The queries of a view of `url` rendered afresh, after one view (caches warm)."""
    client.get(url, {**RENDERED, **params})
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {**RENDERED, **params})
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def full_scans(queries):
    """The steps of the SQLite query plans that read a whole table."""
    steps = []
    with connection.cursor() as cursor:
        for sql in queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            steps += [row[3] for row in cursor.fetchall()]
    return [step for step in steps if step.startswith("SCAN ") and " USING " not in step]


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="query plans are checked on SQLite: PostgreSQL's depend on its table statistics",
)
@pytest.mark.parametrize(
    ("url", "params"),
    [
        (INDEX, {}),
        (INDEX, {"area": "knee"}),
        (INDEX, {"page": "3"}),
        ("/search/", {"q": "knee"}),
    ],
)
def test_no_query_of_the_list_or_the_search_reads_every_treatment(
    client, demo_content, url, params
):
    knee = BodyArea.objects.get(slug="knee")
    add_procedures_in_bulk(300, body_areas=[knee])
    queries = warm_view(client, url, **params)
    tables = ("wagtailcore_page", "procedures_procedurepage", "procedures_procedurepage_body_areas")
    assert not [step for step in full_scans(queries) if step.split()[1] in tables]


def test_the_list_reads_a_page_of_treatments_through_its_own_index(client, demo_content):
    if connection.vendor != "sqlite":
        pytest.skip("query plans are checked on SQLite")
    add_procedures_in_bulk(300)
    [page_query] = [sql for sql in warm_view(client, INDEX) if "LIMIT 20" in sql]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {page_query}")
        plan = [row[3] for row in cursor.fetchall()]
    assert any("USING INDEX procedure_listed" in step for step in plan)
    assert not any("TEMP B-TREE FOR ORDER BY" in step for step in plan)  # no sort of them all


def test_a_warm_view_of_the_list_counts_nothing_and_asks_as_much_for_1000_treatments(
    client, demo_content
):
    knee = BodyArea.objects.get(slug="knee")
    add_procedures_in_bulk(9, body_areas=[knee])
    with_10 = warm_view(client, INDEX, area="knee")
    add_procedures_in_bulk(990, title="Another treatment", body_areas=[knee])
    cache.clear()  # as after a change: the count and the areas are read again, once
    with_1000 = warm_view(client, INDEX, area="knee")
    assert len(with_1000) == len(with_10)
    for queries in (with_10, with_1000):
        assert not [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
        assert not [sql for sql in queries if 'FROM "procedures_bodyarea" WHERE' in sql]


def test_the_list_shows_the_live_treatments_by_their_current_titles(client, demo_content):
    first, second, third = add_procedures(3, title="Listed treatment")
    assert ProcedurePage.objects.get(pk=first.pk).listed_title == "Listed treatment 001"
    second.unpublish()
    third.title = "A renamed treatment"
    third.save_revision().publish()
    assert ProcedurePage.objects.get(pk=second.pk).listed_title is None
    soup = BeautifulSoup(client.get(INDEX).content, "html.parser")
    titles = [a.get_text(strip=True) for a in soup.select(".procedure-list h2 a")]
    assert titles == ["A renamed treatment", "Listed treatment 001", "Prolotherapy"]
    second.save_revision().publish()
    assert ProcedurePage.objects.get(pk=second.pk).listed_title == "Listed treatment 002"


def test_a_treatment_moved_out_of_the_list_is_not_listed(client, demo_content):
    [moved] = add_procedures(1, title="Moved treatment")
    moved.move(Page.objects.get(depth=2), pos="last-child")
    assert "Moved treatment 001" not in client.get(INDEX).content.decode()


def test_postgresql_narrows_the_search_to_the_entries_that_hold_a_word(client, demo_content):
    """Wagtail's own query matches the title and body joined together, which no index
    serves, and joins each page by a text copy of its id: it reads every page and every
    entry. The view first narrows the pages to those whose entry's title or body holds one of
    the words, which the full-text indexes of the search table find."""
    need_postgresql()
    add_procedures_in_bulk(50, title="Knee care")  # not in the search index: never found
    queries = warm_view(client, "/search/", q="dextrose knee")
    searching = [sql for sql in queries if "wagtailsearch_indexentry" in sql]
    assert len(searching) == 2  # the count and the page of results
    for sql in searching:
        assert "plainto_tsquery" in sql and "IN (SELECT" in sql
    page = client.get("/search/", {"q": "dextrose knee"})
    assert "1 result for" in page.content.decode()
