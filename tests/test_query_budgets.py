"""How many database queries the main pages take, rendered from scratch.

Each public page is fetched once (Python's own caches, content types among them, are then
warm, as in a running server), then the shared cache is emptied, so that no cached fragment,
site root path or other cached value helps, and the page is fetched again and counted. The
admin's listings are counted with 10 and with 1,000 treatments: the same number of queries,
whatever the length of the list."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from forms.models import ContactSubmission
from procedures.models import BodyArea, ProcedureIndexPage
from tests.conftest import add_procedures, add_procedures_in_bulk, need_postgresql
from tests.test_contact_form import form_data
from tests.test_staff_roles import TREATMENTS_URL, log_in

PROLOTHERAPY = "/procedures/prolotherapy/"
INDEX = "/procedures/"
CONTACT = "/contact/"

# Budgets are what Wagtail's public APIs give, rendered with every cache empty. Every page view
# reads the content version (the page cache), then Wagtail serves the page: the Site, each page
# on the path (by slug, then in its own type), alias and view-restriction checks; the clinic
# settings and the sites' root paths (for links) follow. That is 9 to 12 before the page's own.
# The treatment page's own: its references, clinic location (with its opening times and
# exceptions), the pages its sections link to, its practitioners and its body areas: 19.
PROLOTHERAPY_QUERIES = 19
# The home page's own: featured treatments (with their pages), the link to all treatments, the
# clinic locations with their opening times and exceptions, the menu: 13.
HOME_QUERIES = 13
# The list's own: the body areas to choose from, the count, a page of treatments, their body
# areas, the menu: 14.
INDEX_QUERIES = 14
# The form's fields and a new captcha: 12.
CONTACT_GET_QUERIES = 12
# As the GET, without the menu; the captcha is checked and used up; the message and its mail
# task are stored in one transaction (with savepoint statements); the thank-you page reads the
# content version that the menu is kept under (pagecache), which a GET has read already.
CONTACT_POST_QUERIES = 18


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def uncached_get(client, url, **params):
    client.get(url, params)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, len(queries)


def test_prolotherapy_page(client, demo_content, django_assert_max_num_queries):
    client.get(PROLOTHERAPY)
    cache.clear()
    with django_assert_max_num_queries(PROLOTHERAPY_QUERIES):
        soup = soup_of(client.get(PROLOTHERAPY))
    article = soup.find("article")
    assert article.find("h1").get_text() == "Prolotherapy"
    assert "Side effects of prolotherapy" in article.get_text()
    assert article.select_one("a[href='https://doi.org/10.1016/j.jcot.2021.05.015']")
    assert "Example Clinic" in article.get_text()  # the clinic location
    assert soup.select_one(".site-nav a[href='/procedures/']")  # the menu


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="query plans are checked on SQLite: PostgreSQL's depend on its table statistics",
)
def test_no_query_of_a_page_view_reads_every_page(client, demo_content):
    """Each page row a page view needs is found through an index: the pages on the path by
    their tree path and slug, chosen pages by id. None of the queries reads the whole page
    table, which grows with every treatment."""
    client.get(PROLOTHERAPY)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(PROLOTHERAPY)
    plans = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plans += [row[3] for row in cursor.fetchall()]
    assert any("wagtailcore_page" in step for step in plans)
    assert not [step for step in plans if step.split(" USING ")[0] == "SCAN wagtailcore_page"]


def test_postgresql_plans_each_query_of_a_page_view_once(client, demo_content):
    """With prepared statements (DATABASE_PREPARED_STATEMENTS, on by default), the queries a
    page view repeats are planned once on a connection and kept there: after a few views of a
    page, PostgreSQL holds a prepared statement for the Site lookup and for the pages."""
    need_postgresql()
    for _ in range(3):
        cache.clear()
        assert client.get(PROLOTHERAPY).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('FROM "wagtailcore_site"' in statement for statement in prepared)
    assert any('FROM "wagtailcore_page"' in statement for statement in prepared)


def test_home_page(client, demo_content, django_assert_max_num_queries):
    client.get("/")
    cache.clear()
    with django_assert_max_num_queries(HOME_QUERIES):
        soup = soup_of(client.get("/"))
    featured = [a.get_text() for a in soup.select("main .procedure-list h3 a")]
    assert featured == ["Prolotherapy"]
    assert soup.select_one("main a[href='/procedures/']").get_text() == "See all our treatments"
    assert soup.select_one("main .location h3").get_text() == "Example Clinic"


def test_procedures_index_takes_as_many_queries_for_1000_treatments_as_for_10(client, demo_content):
    knee = BodyArea.objects.get(slug="knee")
    response, with_1 = uncached_get(client, INDEX)
    assert soup_of(response).select_one(".list-count").get_text() == "1 treatment."

    add_procedures_in_bulk(9, body_areas=[knee])
    response, with_10 = uncached_get(client, INDEX)
    soup = soup_of(response)
    assert soup.select_one(".list-count").get_text() == "10 treatments."
    assert len(soup.select(".procedure-list .card")) == 10

    add_procedures_in_bulk(990, title="Another treatment", body_areas=[knee])
    response, with_1000 = uncached_get(client, INDEX)
    soup = soup_of(response)
    assert soup.select_one(".list-count").get_text() == "1000 treatments, page 1 of 50."
    cards = soup.select(".procedure-list .card")
    assert len(cards) == 20
    assert cards[0].select_one(".note").get_text() == "Treats: Knee"
    assert with_1 == with_10 == with_1000 <= INDEX_QUERIES

    # The same, narrowed to a body area, on a later page.
    response, narrowed = uncached_get(client, INDEX, area="knee", page="3")
    assert soup_of(response).select_one(".list-count").get_text() == (
        "1000 treatments for knee, page 3 of 50."
    )
    assert narrowed == with_1000


def test_contact_page_get_and_post(client, demo_content, settings, django_assert_max_num_queries):
    # The mail task is stored for the worker, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.get(CONTACT)
    cache.clear()
    with django_assert_max_num_queries(CONTACT_GET_QUERIES):
        soup = soup_of(client.get(CONTACT))
    assert soup.find("form", class_="contact-form").find("input", attrs={"name": "captcha_0"})

    data = form_data(client)
    cache.clear()
    with django_assert_max_num_queries(CONTACT_POST_QUERIES):
        response = client.post(CONTACT, data)
    assert response.status_code == 200
    submission = ContactSubmission.objects.get()
    assert submission.get_data()["email"] == "ana@example.org"
    assert DBTaskResult.objects.get().args_kwargs["args"] == [submission.pk]


# The admin


def add_procedures_in_every_state(count, title):
    """`count` treatments, a quarter each locked by marketing, in clinical review, scheduled
    to go live and reviewed: what the admin's lists show with a badge or asks about."""
    marketing = User.objects.get(username="marketing")
    knee = BodyArea.objects.get(slug="knee")
    for number, page in enumerate(add_procedures(count, title=title, body_areas=[knee])):
        state = number % 4
        if state == 0:
            page.locked, page.locked_by, page.locked_at = True, marketing, timezone.now()
            page.save()
        elif state == 1:
            page.save_revision(user=marketing)
            page.get_workflow().start(page, marketing)
        elif state == 2:
            go_live = timezone.now() + datetime.timedelta(days=3)
            page.save_revision(user=marketing, approved_go_live_at=go_live)
        else:
            page.record_review("Dr A Example", timezone.localdate())
            page.save()


def admin_queries(client, url):
    client.get(url)  # fills the process-wide caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), soup_of(response)


@pytest.fixture
def ten_then_a_thousand(demo_content):
    """Adds treatments: first 9 (10 with the prolotherapy page), then 990 more; in each step,
    some in every state the lists show, listed first (by title, and by latest change)."""

    def add(step):
        if step == 10:
            add_procedures_in_every_state(8, title="A state treatment")
            add_procedures(1)
        else:
            add_procedures_in_every_state(40, title="A later state treatment")
            add_procedures_in_bulk(950, title="Another treatment")

    return add


@pytest.mark.parametrize("username", ["editor", "reviewer"])
def test_treatments_listing_takes_as_many_queries_for_1000_treatments_as_for_10(
    client, ten_then_a_thousand, username
):
    log_in(client, username)
    ten_then_a_thousand(10)
    with_10, soup = admin_queries(client, TREATMENTS_URL)
    assert len(soup.select("table.listing tbody tr")) == 10
    ten_then_a_thousand(1000)
    with_1000, soup = admin_queries(client, TREATMENTS_URL)
    rows = soup.select("table.listing tbody tr")
    assert len(rows) == 50  # a page of the list
    assert "Knee" in rows[0].get_text()
    assert with_1000 == with_10


def in_review_rows(soup):
    return sum("in moderation" in row.get_text() for row in soup.select("table.listing tbody tr"))


@pytest.mark.parametrize("username", ["editor", "reviewer"])
def test_page_explorer_takes_as_many_queries_for_1000_treatments_as_for_10(
    client, ten_then_a_thousand, username
):
    """Wagtail's explorer reads the task of each listed page that is in review in its own
    type (one query a row, Wagtail's own); apart from those, the count stays flat."""
    log_in(client, username)
    explorer = f"/admin/pages/{ProcedureIndexPage.objects.get().pk}/"
    ten_then_a_thousand(10)
    with_10, soup = admin_queries(client, explorer)
    titles = [t.get_text(strip=True) for t in soup.select("table.listing td.title [id$=_title]")]
    assert len(titles) == 10 and "Sample treatment 001" in titles
    assert "live + in moderation" in soup.select_one("table.listing").get_text()  # in review
    in_review_10 = in_review_rows(soup)
    ten_then_a_thousand(1000)
    with_1000, soup = admin_queries(client, explorer)
    assert len(soup.select("table.listing tbody tr")) == 50  # a page of the list
    assert with_1000 - in_review_rows(soup) == with_10 - in_review_10
