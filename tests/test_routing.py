"""Which page an address shows: Wagtail's rules, kept by the site's one-query routing
(clinic_site/pages.py, home/middleware.py)."""

import pytest
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
