"""/search/: Wagtail's search over the live pages, the term kept, a count, pages of results,
and a clear "nothing found"."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from tests.conftest import add_procedures


def soup_of(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def result_titles(soup):
    return [a.get_text(strip=True) for a in soup.select(".search-result h2 a")]


def test_a_body_area_finds_the_treatment_and_the_term_stays_in_the_boxes(client, demo_content):
    soup = soup_of(client.get("/search/", {"q": "knee"}))
    assert result_titles(soup) == ["Prolotherapy"]
    assert soup.select_one(".search-result a")["href"] == "/procedures/prolotherapy/"
    assert "Injections of an irritant solution" in soup.select_one(".search-result").get_text()
    assert soup.select_one(".search-count").get_text(strip=True) == "1 result for “knee”."
    assert [box["value"] for box in soup.select("input[name=q]")] == ["knee", "knee"]
    assert soup.title.get_text().startswith("Search results for “knee”")


def test_sections_are_searched_too(client, demo_content):
    # "dextrose" appears in the prolotherapy page's sections.
    assert result_titles(soup_of(client.get("/search/", {"q": "dextrose"}))) == ["Prolotherapy"]


def test_drafts_are_not_found(client, demo_content):
    (draft,) = add_procedures(1, title="Unpublished knee treatment")
    draft.unpublish()
    assert "Unpublished knee treatment 001" not in result_titles(
        soup_of(client.get("/search/", {"q": "unpublished"}))
    )


def test_nothing_found_says_so_and_links_to_all_treatments(client, demo_content):
    soup = soup_of(client.get("/search/", {"q": "zebra"}))
    assert soup.select_one(".search-count").get_text(strip=True) == "Nothing found for “zebra”."
    assert soup.select(".search-result") == []
    link = soup.find("a", string="see all our treatments")
    assert link["href"] == "/procedures/"


def test_no_term_shows_only_the_box(client, demo_content):
    soup = soup_of(client.get("/search/"))
    assert soup.select_one(".search-count") is None
    assert soup.select_one("#search-page-q")["value"] == ""


def test_the_term_is_shown_as_text_never_as_markup(client, demo_content):
    term = '"><script>alert(1)</script>'
    response = client.get("/search/", {"q": term})
    assert b"<script>alert(1)" not in response.content
    soup = soup_of(response)
    assert soup.select_one("#search-page-q")["value"] == term
    assert term in soup.select_one(".search-count").get_text()


def test_results_come_a_page_at_a_time_with_links_keeping_the_term(client, demo_content):
    add_procedures(25, title="Knee care")
    first = soup_of(client.get("/search/", {"q": "knee care"}))
    assert len(result_titles(first)) == 10
    assert "25 results for “knee care”, page 1 of 3." == first.select_one(".search-count").text
    nav = first.find("nav", attrs={"aria-label": "Search results pages"})
    assert nav.find("a", attrs={"aria-current": "page"}).get_text() == "Page 1"
    next_link = nav.find("a", rel="next")["href"]
    assert next_link == "?q=knee+care&page=2"
    third = soup_of(client.get("/search/" + "?q=knee+care&page=3"))
    assert len(result_titles(third)) == 5
    seen = set(result_titles(first)) | set(result_titles(third))
    seen |= set(result_titles(soup_of(client.get("/search/?q=knee+care&page=2"))))
    assert seen == {f"Knee care {n:03d}" for n in range(1, 26)}


@pytest.mark.parametrize("count", [2, 30])
def test_queries_do_not_grow_with_the_number_of_results(
    client, demo_content, count, django_assert_num_queries
):
    add_procedures(count, title="Shoulder treatment")
    client.get("/search/", {"q": "shoulder"})  # Wagtail's site root paths are then cached
    # The menu is kept under the content version, read from the database unless Redis has it.
    expected = QUERIES_PER_SEARCH - (1 if settings.PAGE_CACHE_VERSION_IN_CACHE else 0)
    with django_assert_num_queries(expected):
        soup = soup_of(client.get("/search/", {"q": "shoulder"}))
    assert len(result_titles(soup)) == min(count, 10)


QUERIES_PER_SEARCH = 8
