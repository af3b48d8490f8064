"""/search/ and pages with a view restriction (a password, a login, or staff groups): a
visitor's search never finds a restricted page, nor a page under a restricted one, and never
shows its title; the same search finds the same text on a public page.

The pages are indexed as they are saved (the test settings run Wagtail's indexing tasks
at once)."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from wagtail.models import PageViewRestriction

from procedures.models import ProcedureIndexPage
from tests.conftest import add_procedures

# A word no demo page uses.
WORD = "zygapophyseal"


def search(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode(), BeautifulSoup(response.content, "html.parser")


def result_titles(soup):
    return [a.get_text(strip=True) for a in soup.select(".search-result h2 a")]


def restrict(page, restriction_type):
    restriction = PageViewRestriction.objects.create(
        page=page,
        restriction_type=restriction_type,
        password="sample-password" if restriction_type == PageViewRestriction.PASSWORD else "",
    )
    if restriction_type == PageViewRestriction.GROUPS:
        restriction.groups.set([Group.objects.get(name="Editors")])
    return restriction


@pytest.fixture
def hidden_treatment(demo_content):
    """A live treatment whose title and summary carry WORD."""
    (page,) = add_procedures(1, title=f"Hidden {WORD} treatment")
    return page


RESTRICTIONS = [
    PageViewRestriction.PASSWORD,
    PageViewRestriction.LOGIN,
    PageViewRestriction.GROUPS,
]


def test_without_a_restriction_the_search_finds_the_page(client, hidden_treatment):
    _, soup = search(client, WORD)
    assert result_titles(soup) == [f"Hidden {WORD} treatment 001"]
    assert soup.select_one(".search-count").get_text(strip=True) == f"1 result for “{WORD}”."


@pytest.mark.parametrize("restriction_type", RESTRICTIONS)
def test_a_restricted_page_is_not_found_and_its_title_not_shown(
    client, hidden_treatment, restriction_type
):
    restrict(hidden_treatment, restriction_type)
    html, soup = search(client, WORD)
    assert result_titles(soup) == []
    assert soup.select_one(".search-count").get_text(strip=True) == f"Nothing found for “{WORD}”."
    assert "Hidden" not in html
    assert hidden_treatment.url not in html


@pytest.mark.parametrize("restriction_type", RESTRICTIONS)
def test_the_same_text_on_a_public_page_is_found_beside_a_restricted_one(
    client, hidden_treatment, restriction_type
):
    (public,) = add_procedures(1, title=f"Public {WORD} treatment")
    restrict(hidden_treatment, restriction_type)
    html, soup = search(client, WORD)
    assert result_titles(soup) == [f"Public {WORD} treatment 001"]
    assert soup.select_one(".search-result a")["href"] == public.url
    assert soup.select_one(".search-count").get_text(strip=True) == f"1 result for “{WORD}”."
    assert "Hidden" not in html


@pytest.mark.parametrize("restriction_type", RESTRICTIONS)
def test_pages_under_a_restricted_section_are_not_found(client, hidden_treatment, restriction_type):
    restrict(ProcedureIndexPage.objects.get(), restriction_type)
    html, soup = search(client, WORD)
    assert result_titles(soup) == []
    assert "Hidden" not in html
    # Nor the section's own pages (the demo treatment, found by its body area when public).
    assert "Prolotherapy" not in result_titles(search(client, "knee")[1])
