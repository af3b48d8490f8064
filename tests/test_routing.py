"""Which page an address shows: Wagtail's own routing, with the site's page types and menu."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from wagtail.models import Page, PageViewRestriction, Site

from procedures.models import ProcedureIndexPage, ProcedurePage
from tests.conftest import add_procedures

PROLOTHERAPY = "/procedures/prolotherapy/"


@pytest.fixture
def index(demo_content):
    return ProcedureIndexPage.objects.get()


def test_each_page_is_found_at_its_address(client, index):
    (page,) = add_procedures(1, title="Sample knee treatment")
    response = client.get(page.url)
    assert response.status_code == 200
    assert response.context["page"] == page
    assert isinstance(response.context["page"], ProcedurePage)
    assert client.get("/procedures/").context["page"] == index
    assert client.get("/contact/").status_code == 200


@pytest.mark.parametrize(
    "address",
    [
        "/procedures/no-such-treatment/",
        "/no-such-section/prolotherapy/",
        "/prolotherapy/",  # a page is found under its parent only
        "/procedures/prolotherapy/more/",
    ],
)
def test_an_address_with_no_page_is_not_found(client, index, address):
    assert client.get(address).status_code == 404


def test_a_draft_is_not_found(client, index):
    (page,) = add_procedures(1, title="Sample draft treatment")
    page.unpublish()
    assert client.get("/procedures/sample-draft-treatment-001/").status_code == 404


def test_a_private_section_asks_for_its_password(client, index):
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="sample-password"
    )
    for address in ["/procedures/", PROLOTHERAPY]:
        response = client.get(address)
        assert response.status_code == 200
        assert b"Side effects of prolotherapy" not in response.content
        assert b'name="password"' in response.content
    assert client.get("/").status_code == 200
    assert b'name="password"' not in client.get("/contact/").content


def test_a_private_alias_keeps_its_source_restriction(client, index):
    """An alias is as private as the page it copies (Wagtail's rule)."""
    home = index.get_parent()
    section = home.add_child(instance=Page(title="Sample private section", live=True))
    PageViewRestriction.objects.create(page=section, restriction_type=PageViewRestriction.LOGIN)
    section.create_alias(parent=home, update_slug="sample-alias")
    response = client.get("/sample-alias/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_another_site_answers_its_own_host(client, index):
    Site.objects.create(hostname="treatments.example", port=80, root_page=index)
    response = client.get(PROLOTHERAPY.removeprefix("/procedures"), HTTP_HOST="treatments.example")
    assert response.status_code == 200
    assert response.context["page"].slug == "prolotherapy"
    # The default site answers every other host.
    assert client.get(PROLOTHERAPY, HTTP_HOST="other.example").status_code == 200
    assert client.get(PROLOTHERAPY, HTTP_HOST="treatments.example").status_code == 404


def menu_links(client, address):
    cache.clear()
    soup = BeautifulSoup(client.get(address).content, "html.parser")
    return [(a["href"], a.get("aria-current", "")) for a in soup.select(".site-nav a")]


def test_the_menu_is_the_home_pages_live_children_shown_in_menus(client, index):
    """The same links, in tree order, on every page; the current page and its section are
    marked for assistive technology (aria-current)."""
    home = index.get_parent()
    home.add_child(instance=Page(title="Sample draft section", slug="draft", show_in_menus=True))
    Page.objects.filter(slug="draft").update(live=False)
    Page.objects.filter(url_path__endswith="/contact/").update(show_in_menus=False)

    on_home = menu_links(client, "/")
    assert ("/procedures/", "") in on_home
    assert not {href for href, _ in on_home} & {"/contact/", "/draft/"}
    on_treatment = menu_links(client, PROLOTHERAPY)
    assert on_treatment == [(href, "true" if href == "/procedures/" else "") for href, _ in on_home]
    assert menu_links(client, "/procedures/") == [
        (href, "page" if href == "/procedures/" else "") for href, _ in on_home
    ]


def test_a_page_of_a_top_level_type_placed_deeper_is_served_in_its_type(client, index):
    """A page that code put elsewhere, against the tree rules, is still read in its own
    type."""
    from home.models import HomePage

    home = index.get_parent()
    stray = home.add_child(instance=HomePage(title="A second home page", slug="stray-home"))
    stray.save_revision().publish()
    response = client.get("/stray-home/")
    assert response.status_code == 200
    assert type(response.context["page"]) is HomePage
    assert response.context["page"].title == "A second home page"
