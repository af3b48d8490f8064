"""References, clinic locations and body areas: Wagtail snippets that live procedure pages show.

Only clinical reviewers (and superusers) change or delete them; editors and marketing add new
ones. One a page uses is never deleted: the person sees the pages that use it instead.
"""

import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import ReferenceIndex

from locations.models import ClinicLocation
from procedures.models import BodyArea, ProcedurePage, Reference
from tests.test_staff_roles import REFUSED, assert_refused, log_in, menu_items

CITED_TITLE = "Dextrose prolotherapy in knee osteoarthritis: A systematic review and meta-analysis"
FALSE_TITLE = "Prolotherapy cures arthritis in every patient"


def snippet_url(model, action, *args):
    return reverse(model.snippet_viewset.get_url_name(action), args=args)


@pytest.fixture
def cited(demo_content):
    return Reference.objects.get(title=CITED_TITLE)


@pytest.fixture
def location(demo_content):
    return ClinicLocation.objects.get()


def reference_form(reference, **changes):
    fields = [
        "authors",
        "title",
        "journal",
        "year",
        "date_detail",
        "volume",
        "issue",
        "pages",
        "doi",
        "pmid",
        "url",
    ]
    return {**{name: getattr(reference, name) for name in fields}, **changes}


def live_page(client):
    """The live prolotherapy page: its text and its JSON-LD, as a patient's browser gets them."""
    response = client.get("/procedures/prolotherapy/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    graph = json.loads(soup.find("script", type="application/ld+json").string)
    return soup.get_text(), json.dumps(graph)


def test_pages_that_cite_a_reference_or_show_a_location_are_recorded(cited, location):
    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    for used in (cited, location):
        using = [page.pk for page, _ in ReferenceIndex.get_grouped_references_to(used)]
        assert using == [prolotherapy.pk], used


@pytest.mark.parametrize("username", ["marketing", "editor"])
def test_marketing_and_editors_cannot_change_a_cited_reference(client, cited, username):
    text_before, json_ld_before = live_page(client)
    assert CITED_TITLE in text_before and CITED_TITLE in json_ld_before

    log_in(client, username)
    listing = client.get(snippet_url(Reference, "list"))
    row = (
        BeautifulSoup(listing.content, "html.parser")
        .find("td", string=lambda s: s and CITED_TITLE in s)
        .find_parent("tr")
    )
    # The row leads to the reference, to read; nothing in it leads to changing it.
    links = [a["href"] for a in row.find_all("a")]
    assert snippet_url(Reference, "inspect", cited.pk) in links
    assert not any("/edit/" in link or "/delete/" in link for link in links)

    edit_url = snippet_url(Reference, "edit", cited.pk)
    assert_refused(client, edit_url)
    client.post(edit_url, reference_form(cited, title=FALSE_TITLE, url="https://example.com/"))
    cited.refresh_from_db()
    assert cited.title == CITED_TITLE
    assert cited.url == ""
    assert_refused(client, snippet_url(Reference, "delete", cited.pk))

    client.logout()
    assert live_page(client) == (text_before, json_ld_before)


def test_a_clinical_reviewer_changes_a_reference_and_the_live_page_shows_it(client, cited):
    live_page(client)  # the article is cached
    log_in(client, "reviewer")
    response = client.post(
        snippet_url(Reference, "edit", cited.pk),
        reference_form(cited, title="Dextrose prolotherapy in knee osteoarthritis"),
    )
    assert response.status_code == 302
    client.logout()
    text, json_ld = live_page(client)
    assert "Dextrose prolotherapy in knee osteoarthritis." in text
    assert CITED_TITLE not in text
    assert '"headline": "Dextrose prolotherapy in knee osteoarthritis"' in json_ld


@pytest.mark.parametrize("username", ["marketing", "editor"])
def test_marketing_and_editors_add_a_reference_from_the_choosers_create_tab(
    client, demo_content, username
):
    log_in(client, username)
    chooser = client.get(reverse("wagtailsnippetchoosers_procedures_reference:choose"))
    html = json.loads(chooser.content)["html"]
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", attrs={"action": lambda a: a and "/create/" in a})
    # The pop-up's fields have ids of their own, not the page form's ("id_title").
    title = form.find("input", attrs={"name": "reference-chooser-create-title"})
    assert title["id"] == "id_reference-chooser-create-title"
    assert form.find("label", attrs={"for": title["id"]}).get_text(strip=True).startswith("Title")

    data = {
        f"reference-chooser-create-{name}": value
        for name, value in {
            "authors": "Rabago D, et al.",
            "title": "Prolotherapy in primary care practice",
            "journal": "Prim Care",
            "year": "2010",
            "doi": "https://doi.org/10.1016/j.pop.2009.09.001",
        }.items()
    }
    response = client.post(form["action"], data)
    result = json.loads(response.content)
    assert result["step"] == "chosen"
    created = Reference.objects.get(title="Prolotherapy in primary care practice")
    assert result["result"]["id"] == str(created.pk)
    assert created.doi == "10.1016/j.pop.2009.09.001"


def test_the_page_editor_chooses_references_and_locations_with_the_snippet_choosers(
    client, demo_content
):
    log_in(client, "marketing")
    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    editor = client.get(f"/admin/pages/{prolotherapy.pk}/edit/").content.decode()
    assert reverse("wagtailsnippetchoosers_procedures_reference:choose") in editor
    assert reverse("wagtailsnippetchoosers_locations_cliniclocation:choose") in editor


def test_the_create_tab_keeps_what_was_typed_and_shows_the_error(client, demo_content):
    log_in(client, "marketing")
    response = client.post(
        reverse("wagtailsnippetchoosers_procedures_reference:create"),
        {
            "reference-chooser-create-authors": "Rabago D, et al.",
            "reference-chooser-create-title": "Prolotherapy in primary care practice",
            "reference-chooser-create-journal": "Prim Care",
            "reference-chooser-create-year": "2010",
        },
    )
    result = json.loads(response.content)
    assert result["step"] == "reshow_creation_form"
    soup = BeautifulSoup(result["htmlFragment"], "html.parser")
    assert soup.find(attrs={"name": "reference-chooser-create-title"})["value"] == (
        "Prolotherapy in primary care practice"
    )
    assert "Give at least one of DOI, PMID or URL." in soup.get_text()
    assert not Reference.objects.filter(title="Prolotherapy in primary care practice").exists()


def test_front_desk_sees_no_clinic_content(client, demo_content):
    log_in(client, "frontdesk")
    assert "clinic-content" not in menu_items(client.get("/admin/"))
    for model in (Reference, ClinicLocation, BodyArea):
        assert_refused(client, snippet_url(model, "list"))


def test_the_clinic_content_menu_lists_the_three_snippets(client, demo_content):
    log_in(client, "marketing")
    menu = menu_items(client.get("/admin/"))
    assert {menu[name] for name in ("clinic-locations", "references", "body-areas")} == {
        snippet_url(ClinicLocation, "list"),
        snippet_url(Reference, "list"),
        snippet_url(BodyArea, "list"),
    }


@pytest.mark.parametrize("fixture", ["cited", "location"])
def test_deleting_what_a_live_page_uses_is_refused_with_the_page(
    client, demo_content, request, fixture
):
    used = request.getfixturevalue(fixture)
    model = type(used)
    log_in(client, "reviewer")  # may delete clinic content

    refused = client.get(snippet_url(model, "delete", used.pk), follow=True)
    assert refused.redirect_chain == [(snippet_url(model, "usage", used.pk), 302)]
    messages = [str(message) for message in refused.context["messages"]]
    assert messages == [
        f"“{used}” cannot be deleted: it is used on “Prolotherapy”. "
        "Remove it from those pages first."
    ]
    # The usage page lists where it is used (the page's title shows to those who may edit it).
    rows = BeautifulSoup(refused.content, "html.parser").select("table.listing tbody tr")
    assert len(rows) == 1
    assert "Treatment" in rows[0].get_text()

    client.post(snippet_url(model, "delete", used.pk))
    client.post(
        reverse("wagtail_bulk_action", args=("procedures", model._meta.model_name, "delete"))
        + f"?id={used.pk}"
    )
    assert model.objects.filter(pk=used.pk).exists()
    text, _ = live_page(client)
    assert str(used).split(".")[0] in text or used.name in text


def test_a_reference_no_page_cites_can_be_deleted(client, cited):
    unused = Reference.objects.create(
        authors="Rabago D, et al.",
        title="Prolotherapy in primary care practice",
        journal="Prim Care",
        year=2010,
        doi="10.1016/j.pop.2009.09.001",
    )
    log_in(client, "reviewer")
    confirm = client.get(snippet_url(Reference, "delete", unused.pk))
    assert "Are you sure you want to delete this reference?" in confirm.content.decode()
    client.post(snippet_url(Reference, "delete", unused.pk))
    assert not Reference.objects.filter(pk=unused.pk).exists()
    assert Reference.objects.filter(pk=cited.pk).exists()


def test_marketing_cannot_delete_even_an_unused_body_area(client, demo_content):
    area = BodyArea.objects.create(name="Elbow")
    log_in(client, "marketing")
    response = client.post(snippet_url(BodyArea, "delete", area.pk), follow=True)
    assert REFUSED in [str(message).strip() for message in response.context["messages"]]
    assert BodyArea.objects.filter(pk=area.pk).exists()
