"""/procedures/: the live treatments, twenty at a time, narrowed by body area."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from procedures.models import BodyArea
from tests.conftest import add_procedures

INDEX = "/procedures/"


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def titles(soup):
    return [a.get_text(strip=True) for a in soup.select(".procedure-list h2 a")]


def test_the_index_comes_twenty_at_a_time_with_page_links(client, demo_content):
    add_procedures(44)  # and the prolotherapy page: 45
    first = soup_of(client.get(INDEX))
    assert len(titles(first)) == 20
    assert first.select_one(".list-count").get_text() == "45 treatments, page 1 of 3."
    nav = first.find("nav", attrs={"aria-label": "Treatment list pages"})
    assert nav.find("a", rel="next")["href"] == "?page=2"
    last = soup_of(client.get(INDEX, {"page": "3"}))
    assert titles(last) == [
        "Sample treatment 040",
        *[f"Sample treatment {n:03d}" for n in range(41, 45)],
    ]
    assert last.title.get_text().startswith("Treatments (page 3)")


@pytest.mark.parametrize("asked", ["9", "0", "-1", "two", "2.5"])
def test_a_page_number_out_of_range_shows_the_nearest_page(client, demo_content, asked):
    add_procedures(24)  # and the prolotherapy page: 25, two pages
    soup = soup_of(client.get(INDEX, {"page": asked}))
    expected = 1 if asked in ("two", "2.5") else 2
    assert soup.select_one(".list-count").get_text() == f"25 treatments, page {expected} of 2."
    assert len(titles(soup)) == (20 if expected == 1 else 5)


def test_narrowing_by_body_area_keeps_the_area_in_the_page_links(client, demo_content):
    shoulder = BodyArea.objects.create(name="Shoulder")
    add_procedures(25, title="Shoulder treatment", body_areas=[shoulder])
    add_procedures(3, title="Other treatment")
    soup = soup_of(client.get(INDEX, {"area": "shoulder"}))
    assert soup.h1.get_text() == "Treatments for shoulder"
    assert soup.select_one(".list-count").get_text() == "25 treatments for shoulder, page 1 of 2."
    assert all(title.startswith("Shoulder treatment") for title in titles(soup))
    assert soup.select_one("select[name=area] option[selected]")["value"] == "shoulder"
    assert soup.find("a", rel="next")["href"] == "?area=shoulder&page=2"
    # Only the body areas that live treatments treat are offered.
    options = [o.get_text() for o in soup.select("select[name=area] option")]
    assert options == ["All body areas", "Knee", "Lower back", "Shoulder"]


def test_an_unknown_body_area_is_an_error_next_to_the_list(client, demo_content):
    soup = soup_of(client.get(INDEX, {"area": "<b>elbow</b>"}))
    select = soup.select_one("select[name=area]")
    error = soup.find(id=select["aria-describedby"])
    assert "Choose a body area from the list." in error.get_text()
    assert select["aria-invalid"] == "true"
    assert titles(soup) == ["Prolotherapy"]  # the whole list, as without a filter


@pytest.mark.parametrize("count", [10, 100])
def test_queries_do_not_grow_with_the_treatments(
    client, demo_content, count, django_assert_num_queries
):
    knee = BodyArea.objects.get(slug="knee")
    add_procedures(count - 1, body_areas=[knee])
    client.get(INDEX)
    # The content version: a query, unless Redis keeps it.
    with django_assert_num_queries(QUERIES - (1 if settings.PAGE_CACHE_VERSION_IN_CACHE else 0)):
        soup = soup_of(client.get(INDEX, {"area": "knee", "page": "1"}))
    assert len(titles(soup)) == min(count, 20)


# As the list's budget (tests/test_query_budgets.py), narrowed to one body area, after a first
# view of the list: the sites' root paths, the body areas to choose from and the menu are kept
# until the content version moves on; this area's count is counted once.
QUERIES = 11
