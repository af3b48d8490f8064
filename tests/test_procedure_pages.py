"""The prolotherapy page as structured content: what a patient sees, what search engines read."""

import json

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import rich_text

from forms.models import ContactFormPage
from home.models import HomePage
from locations.models import ClinicLocation
from practitioners.models import PractitionerPage
from procedures.models import BodyArea, ProcedureIndexPage, ProcedurePage, Reference
from tests.admin_forms import STANDARD_SECTION_TYPES, listblock, procedure_form_data
from tests.conftest import load_demo_content
from tests.test_query_budgets import PROLOTHERAPY_QUERIES

PROLOTHERAPY = "/procedures/prolotherapy/"


@pytest.fixture
def prolotherapy(demo_content):
    return ProcedurePage.objects.get(slug="prolotherapy")


def get_soup(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def section(soup, heading):
    h2 = soup.find("h2", string=heading)
    assert h2 is not None, f"no section headed {heading!r}"
    return h2.find_parent("section")


def items(element):
    return [" ".join(li.get_text(" ", strip=True).split()) for li in element.find_all("li")]


def json_ld(soup):
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def test_prolotherapy_page_shows_every_part_of_the_reference_page(client, prolotherapy):
    soup = get_soup(client, PROLOTHERAPY)
    main = soup.find("main")
    text = " ".join(main.get_text(" ").split())

    assert soup.find("h1").get_text() == "Prolotherapy"
    what = section(soup, "What is prolotherapy?")
    assert "controversial regenerative medicine treatment" in what.get_text()
    assert "highly concentrated dextrose" in what.get_text()
    assert "platelet-rich plasma (PRP), bone marrow, or adipose tissue" in what.get_text()

    how = section(soup, "How prolotherapy is done")
    assert "ultrasound guidance" in how.get_text()
    assert "light sedation" in how.get_text()

    evidence = section(soup, "What the evidence says about prolotherapy")
    evidence_text = " ".join(evidence.get_text(" ").split())
    assert "Prolotherapy remains unproven at present." in evidence_text
    assert "knee osteoarthritis confers potential benefits for pain" in evidence_text
    assert "The studies had a high risk of bias." in evidence_text
    assert "For knee osteoarthritis: Based on two well-designed studies" in evidence_text
    assert "Strength of recommendation B" in evidence_text
    assert "For patients with limited alternative options:" in evidence_text
    assert "Strength of recommendation C" in evidence_text
    assert "restoring spinal stability and resolving chronic low back pain" in evidence_text
    assert [a["href"] for a in evidence.select("a.citation-link")] == [
        "#reference-1",
        "#reference-2",
    ]

    schedule = section(soup, "How often prolotherapy is given")
    assert "every 2 to 6 weeks for several months, in a series of 3 to 6 or more treatments" in (
        schedule.get_text()
    )
    assert "less frequent intervals" in schedule.get_text()

    contraindications = section(soup, "Who should not have prolotherapy")
    assert "Prolotherapy should not be given if any of these apply:" in contraindications.get_text()
    absolute, relative = contraindications.find_all("ul")
    assert items(absolute) == [
        "Local abscess",
        "Bleeding disorders",
        "Patient on anticoagulant medication",
        "Known allergy to prolotherapy agent",
        "Acute infections such as cellulitis",
        "Septic arthritis",
    ]
    assert items(relative) == ["Acute gouty arthritis", "Acute fracture"]

    side_effects = section(soup, "Side effects of prolotherapy")
    assert "Reported side effects are generally mild and temporary." in side_effects.get_text()
    assert items(side_effects) == [
        "Mild pain and irritation at the injection site (often within 72 hours of the injection)",
        "Numbness at the injection site",
        "Mild bleeding",
        "Lightheadedness",
        "Allergic reactions to the agent used",
        "Bruising",
        "Infection",
        "Nerve damage",
    ]

    location = section(soup, "Where to have prolotherapy")
    assert "1 Example Street" in location.find("address").get_text()
    directions = location.find("a", class_="button")
    assert directions.get_text(" ", strip=True).startswith("Get directions to Example Clinic")
    assert directions["href"].startswith("https://www.openstreetmap.org/directions")
    assert location.select_one("[data-map]")["data-lat"] == "51.507400"

    sources = section(soup, "Sources")
    citations = sources.select("ol.citation-list > li")
    assert [li["id"] for li in citations] == ["reference-1", "reference-2"]
    assert citations[0].select_one('a[href="https://doi.org/10.1016/j.jcot.2021.05.015"]')
    assert citations[0].select_one('a[href="https://pubmed.ncbi.nlm.nih.gov/34046305/"]')
    assert citations[1].select_one('a[href="https://doi.org/10.3233/BMR-210097"]')
    assert "J Back Musculoskelet Rehabil. 2022;35(4):701–712" in citations[1].get_text()
    assert "PubMed" in sources.get_text()

    # Each section is labelled by its heading; the call to action has none.
    for element in main.select("section.block"):
        if "block--call_to_action" in element["class"]:
            assert not element.has_attr("aria-labelledby")
        else:
            assert element.find("h2")["id"] == element["aria-labelledby"]

    cta = main.find("a", string="Contact us")
    assert cta["href"] == "/contact/"

    # The source page's defect cannot come back: no other procedure named, no empty list.
    assert "kyphoplasty" not in text.lower()
    assert all(ul.find("li") for ul in main.find_all("ul"))


def article(client, url=PROLOTHERAPY):
    """The page's cached part: its <article>."""
    return get_soup(client, url).find("article")


def test_headings_name_the_procedure_from_its_title(client, prolotherapy):
    client.get(PROLOTHERAPY)  # the article is now cached
    prolotherapy.title = "Dextrose prolotherapy"
    prolotherapy.save_revision().publish()
    soup = get_soup(client, PROLOTHERAPY)
    headings = [h2.get_text() for h2 in soup.find_all("h2")]
    assert "Side effects of dextrose prolotherapy" in headings
    assert "Who should not have dextrose prolotherapy" in headings


def test_structured_data(client, prolotherapy):
    data = json_ld(get_soup(client, PROLOTHERAPY))
    assert data["@context"] == "https://schema.org"
    web_page, clinic = data["@graph"]

    assert web_page["@type"] == "MedicalWebPage"
    assert web_page["url"] == "http://localhost/procedures/prolotherapy/"
    assert web_page["lastReviewed"] == "2026-11-01"
    # The demo page's reviewer is the example clinician, as their profile describes them.
    reviewer = web_page["reviewedBy"]
    assert reviewer["@type"] == "Person"
    assert reviewer["name"] == "Dr Riley Reviewer (example clinician)"
    assert reviewer["url"] == "http://localhost/clinicians/example-clinician/"
    citations = web_page["citation"]
    assert [c["@type"] for c in citations] == ["ScholarlyArticle", "ScholarlyArticle"]
    assert {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.1016/j.jcot.2021.05.015",
    } in (citations[0]["identifier"])
    assert citations[1]["url"] == "https://doi.org/10.3233/BMR-210097"

    therapy = web_page["about"]
    assert therapy["@type"] == "MedicalTherapy"
    assert therapy["procedureType"] == "https://schema.org/PercutaneousProcedure"
    assert len(therapy["contraindication"]) == 8
    assert "Septic arthritis" in therapy["contraindication"]
    assert {"@type": "MedicalEntity", "name": "Nerve damage"} in therapy["adverseOutcome"]
    assert len(therapy["adverseOutcome"]) == 8
    assert "ultrasound guidance" in therapy["howPerformed"]

    assert clinic["@type"] == "MedicalClinic"
    assert clinic["address"]["streetAddress"] == "1 Example Street"
    assert clinic["address"]["postalCode"] == "EX1 2AB"
    assert clinic["geo"] == {"@type": "GeoCoordinates", "latitude": 51.5074, "longitude": -0.1278}
    assert clinic["telephone"] == "+44 20 7946 0000"
    # The clinic, and the clinician who gives it (the reviewer, described once).
    assert web_page["mentions"] == [{"@id": clinic["@id"]}, {"@id": reviewer["@id"]}]


def test_map_coordinates_keep_a_decimal_point_in_any_language(client, prolotherapy):
    with translation.override("de"):
        soup = get_soup(client, PROLOTHERAPY)
    map_element = section(soup, "Where to have prolotherapy").select_one("[data-map]")
    assert (map_element["data-lat"], map_element["data-lng"]) == ("51.507400", "-0.127800")


def test_structured_data_cannot_break_out_of_its_script(client, prolotherapy):
    prolotherapy.summary = "</script><script>alert(1)</script>"
    prolotherapy.save_revision().publish()
    soup = get_soup(client, PROLOTHERAPY)
    assert json_ld(soup)["@graph"][0]["description"] == prolotherapy.summary
    assert not any("alert(1)" in (s.string or "") for s in soup.find_all("script", type=None))


def test_prolotherapy_page_queries(client, prolotherapy, django_assert_max_num_queries):
    # Its budget (tests/test_query_budgets.py); cached fragments may make it fewer.
    client.get("/")
    with django_assert_max_num_queries(PROLOTHERAPY_QUERIES):
        response = client.get(PROLOTHERAPY)
    assert b"Side effects of prolotherapy" in response.content


def test_index_lists_live_procedures_with_their_summaries(client, prolotherapy):
    index = prolotherapy.get_parent()
    draft = index.add_child(
        instance=ProcedurePage(title="Sample draft treatment", summary="Not yet reviewed.")
    )
    draft.unpublish()
    soup = get_soup(client, "/procedures/")
    cards = soup.select(".procedure-list .card")
    assert [card.find("h2").get_text(strip=True) for card in cards] == ["Prolotherapy"]
    assert prolotherapy.summary in cards[0].get_text()
    assert "Knee, Lower back" in cards[0].get_text()


def test_a_page_made_in_code_with_the_standard_sections_unfilled_is_served(client, prolotherapy):
    """Sections made in code (an import, a script) hold None where the editor would post "";
    the page is still served, with the sections it has."""
    page = prolotherapy.get_parent().add_child(
        instance=ProcedurePage(title="Sample unfilled treatment", summary="Made in code.")
    )
    response = client.get(page.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Sample unfilled treatment"
    assert "Made in code." in soup.get_text()


def test_new_procedure_page_starts_with_the_standard_sections(demo_content):
    page = ProcedurePage(title="New treatment")
    assert [block.block_type for block in page.body] == STANDARD_SECTION_TYPES
    by_type = {block.block_type: block.value for block in page.body}
    assert by_type["location_map"]["location"] == ClinicLocation.objects.get()
    assert by_type["call_to_action"]["page"].specific == ContactFormPage.objects.get()


def test_next_review_defaults_to_a_year_after_the_last(prolotherapy):
    assert str(prolotherapy.next_review_due) == "2027-11-01"


def test_demo_content_twice_keeps_one_of_each(demo_content):
    load_demo_content()
    assert ProcedurePage.objects.count() == 1
    assert ProcedureIndexPage.objects.count() == 1
    assert Reference.objects.count() == 2
    assert ClinicLocation.objects.count() == 1
    assert BodyArea.objects.count() == 2


class ProcedurePageAdminTests(WagtailPageTestCase):
    def setUp(self):
        load_demo_content()
        self.user = get_user_model().objects.create_superuser(
            "superuser", "su@clinic.example", "pw"
        )
        self.client.force_login(self.user)
        self.index = ProcedureIndexPage.objects.get()
        self.wee = Reference.objects.get(pmid="34046305")
        self.location = ClinicLocation.objects.get()
        self.contact = ContactFormPage.objects.get()
        self.knee = BodyArea.objects.get(name="Knee")
        self.prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
        self.clinician = PractitionerPage.objects.get()

    def test_tree_rules(self):
        self.assertAllowedParentPageTypes(ProcedurePage, {ProcedureIndexPage})
        self.assertAllowedSubpageTypes(ProcedurePage, set())
        self.assertAllowedParentPageTypes(ProcedureIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ProcedureIndexPage, {ProcedurePage})
        self.assertCanNotCreateAt(HomePage, ProcedurePage)
        self.assertFalse(ProcedureIndexPage.can_create_at(HomePage.objects.get()))

    def form_data(self, title, body):
        return procedure_form_data(
            title,
            "sample-treatment",
            body,
            [self.knee.pk],
            last_reviewed="2026-10-01",
            reviewed_by="Dr A Example",
        )

    def every_block(self):
        return [
            (
                "description",
                {"section": "how", "custom_heading": "", "body": rich_text("<p>Injected.</p>")},
            ),
            (
                "evidence",
                {
                    "statement": "Limited evidence.",
                    "findings": listblock(
                        [
                            {
                                "conclusion": "Some benefit.",
                                "references": listblock([self.wee.pk]),
                                "recommendations": listblock(
                                    [{"population": "knee osteoarthritis", "grade": "B"}]
                                ),
                                "caveats": "Small studies.",
                            }
                        ]
                    ),
                },
            ),
            (
                "treatment_schedule",
                {
                    "interval_min_weeks": "2",
                    "interval_max_weeks": "4",
                    "sessions_min": "3",
                    "sessions_max": "",
                    "sessions_or_more": "on",
                },
            ),
            (
                "contraindications",
                {"absolute": listblock(["Infection"]), "relative": listblock([])},
            ),
            (
                "side_effects",
                {"introduction": "Mild.", "items": listblock([{"effect": "Bruising", "note": ""}])},
            ),
            ("risks", {"introduction": "", "items": listblock(["Nerve damage"])}),
            ("location_map", {"location": self.location.pk, "zoom": "15"}),
            ("who_does_it", {"practitioners": listblock([self.clinician.pk])}),
            ("sources", {"extra_credits": listblock(["PubMed"])}),
            (
                "call_to_action",
                {
                    "heading": "Ask us",
                    "text": "",
                    "page": self.contact.pk,
                    "button_label": "Contact us",
                },
            ),
            (
                "preparation",
                {
                    "introduction": "",
                    "steps": listblock([{"step": "Stop eating", "timing": "6 hours before"}]),
                },
            ),
            (
                "aftercare",
                {
                    "what_to_expect": rich_text("<p>Sore for a day.</p>"),
                    "recovery_time": "",
                    "avoid": listblock(["Heavy lifting"]),
                },
            ),
            (
                "alternatives",
                {
                    "introduction": "",
                    "items": listblock(
                        [
                            {"page": self.prolotherapy.pk, "name": "", "note": "Injections."},
                            {"page": "", "name": "Physiotherapy", "note": "Exercises."},
                        ]
                    ),
                },
            ),
            (
                "urgent_help",
                {
                    "non_urgent": listblock([]),
                    "urgent": listblock(["The site is hot and swollen"]),
                    "urgent_line": "NHS 111",
                    "urgent_line_number": "111",
                    "emergency": listblock(["You cannot breathe"]),
                },
            ),
            (
                "questions",
                {
                    "items": listblock(
                        [{"question": "Will it hurt?", "answer": rich_text("<p>A little.</p>")}]
                    )
                },
            ),
        ]

    def test_create_a_procedure_page_with_every_block_through_the_admin(self):
        body = self.every_block()
        self.assertEqual(
            {block_type for block_type, _ in body},
            set(ProcedurePage.body.field.stream_block.child_blocks),
        )
        self.assertCanCreate(self.index, ProcedurePage, self.form_data("Sample treatment", body))

        page = ProcedurePage.objects.get(slug="sample-treatment")
        self.assertTrue(page.live)
        self.assertEqual(
            [block.block_type for block in page.body], [block_type for block_type, _ in body]
        )
        values = [block.value for block in page.body]
        self.assertIn("Injected.", str(values[0]["body"]))
        finding = values[1]["findings"][0]
        self.assertEqual(list(finding["references"]), [self.wee])
        self.assertEqual(finding["recommendations"][0]["grade"], "B")
        self.assertEqual(
            values[2].sentence,
            ("Sessions are usually given every 2 to 4 weeks, in a series of 3 or more treatments."),
        )
        self.assertEqual(list(values[3]["absolute"]), ["Infection"])
        self.assertEqual(values[4]["items"][0]["effect"], "Bruising")
        self.assertEqual(list(values[5]["items"]), ["Nerve damage"])
        self.assertEqual(values[6]["location"], self.location)
        self.assertEqual(list(values[7]["practitioners"]), [self.clinician])
        self.assertEqual(list(values[8]["extra_credits"]), ["PubMed"])
        self.assertEqual(values[9]["page"].pk, self.contact.pk)
        self.assertEqual(
            [step.text for step in values[10]["steps"]], ["Stop eating (6 hours before)"]
        )
        self.assertEqual(values[11].followup, "Sore for a day. What to avoid: Heavy lifting.")
        self.assertEqual(
            [(item.title, item["note"]) for item in values[12]["items"]],
            [("Prolotherapy", "Injections."), ("Physiotherapy", "Exercises.")],
        )
        self.assertEqual(list(values[13]["urgent"]), ["The site is hot and swollen"])
        self.assertEqual(values[13]["urgent_line_number"], "111")
        self.assertEqual(list(values[13]["emergency"]), ["You cannot breathe"])
        self.assertEqual(values[14]["items"][0]["question"], "Will it hurt?")
        self.assertEqual(list(page.body_areas.all()), [self.knee])
        self.assertEqual(str(page.next_review_due), "2027-10-01")
        self.assertEqual(page.cited_references, [self.wee])

    def test_publishing_an_empty_list_is_refused_with_the_error_on_its_field(self):
        body = [
            ("side_effects", {"introduction": "Mild.", "items": listblock([])}),
        ]
        data = self.form_data("Sample treatment", body)
        data["action-publish"] = "action-publish"
        url = f"/admin/pages/add/procedures/procedurepage/{self.index.pk}/"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(ProcedurePage.objects.filter(slug="sample-treatment").exists())
        error = response.context["form"].errors["body"].as_data()[0]
        self.assertEqual(
            error.block_errors[0].block_errors["items"].messages, ["Add at least one side effect."]
        )

    def test_a_draft_with_empty_sections_can_be_saved(self):
        data = self.form_data("Sample treatment", [("side_effects", {"items": listblock([])})])
        self.assertCanCreate(self.index, ProcedurePage, data, publish=False)
        page = ProcedurePage.objects.get(slug="sample-treatment")
        self.assertFalse(page.live)

    def prolotherapy_edit(self, side_effect):
        """The prolotherapy page's edit form with every section filled, one side effect
        named `side_effect`, saved as a draft."""
        body = self.every_block()
        body[4] = (
            "side_effects",
            {"introduction": "Mild.", "items": listblock([{"effect": side_effect, "note": ""}])},
        )
        page = ProcedurePage.objects.get(slug="prolotherapy")
        data = procedure_form_data(
            page.title, page.slug, body, [self.knee.pk], summary="A draft summary."
        )
        return page, data

    def test_the_prolotherapy_page_can_be_edited(self):
        page, data = self.prolotherapy_edit("Swelling at the injection site")
        edit_url = f"/admin/pages/{page.pk}/edit/"
        self.assertContains(self.client.get(edit_url), "Septic arthritis")

        response = self.client.post(edit_url, data)
        self.assertRedirects(response, edit_url)

        page.refresh_from_db()
        draft = page.get_latest_revision_as_object()
        self.assertEqual(draft.summary, "A draft summary.")
        self.assertEqual(
            [item["effect"] for item in draft.blocks_of_type("side_effects")[0]["items"]],
            ["Swelling at the injection site"],
        )
        self.assertEqual(draft.cited_references, [self.wee])
        # Saved as a draft: the live page is as it was.
        self.assertTrue(page.has_unpublished_changes)
        self.assertNotEqual(page.summary, "A draft summary.")

        edit = self.client.get(edit_url)
        self.assertContains(edit, "A draft summary.")
        self.assertContains(edit, "Swelling at the injection site")
        self.assertNotContains(edit, "Septic arthritis")

    def test_a_preview_shows_the_draft_not_the_cached_live_page(self):
        live = self.client.get(PROLOTHERAPY)  # the live article is now cached
        self.assertContains(live, "Septic arthritis")
        page, data = self.prolotherapy_edit("Swelling at the injection site")
        preview_url = f"/admin/pages/{page.pk}/edit/preview/"

        response = self.client.post(preview_url, data)
        self.assertEqual(response.json(), {"is_valid": True, "is_available": True})
        preview = BeautifulSoup(self.client.get(preview_url).content, "html.parser")

        article = preview.find("article")
        self.assertEqual(article.find("p", class_="lead").get_text(), "A draft summary.")
        side_effects = section(preview, "Side effects of prolotherapy")
        self.assertEqual(items(side_effects), ["Swelling at the injection site"])
        self.assertNotIn("Septic arthritis", article.get_text())
        # The live page still shows the published article.
        self.assertContains(self.client.get(PROLOTHERAPY), "Septic arthritis")

    def test_no_page_is_created_at_the_root(self):
        self.assertCanNotCreateAt(Page, ProcedurePage)


def test_the_rendered_article_is_cached(client, prolotherapy, django_assert_max_num_queries):
    # A visitor with a session gets no whole page from the page cache, only the article.
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session"
    client.get(PROLOTHERAPY)
    # 4 of them routing, 1 the session, 1 the content version; the article is not rebuilt
    with django_assert_max_num_queries(12):
        response = client.get(PROLOTHERAPY)
    assert b"Side effects of prolotherapy" in response.content
    assert b"doi:10.1016/j.jcot.2021.05.015" in response.content


def test_a_published_change_shows_at_once(client, prolotherapy):
    assert "A revised summary." not in article(client).get_text()  # and now it is cached
    prolotherapy.summary = "A revised summary."
    prolotherapy.save_revision().publish()
    assert article(client).find("p", class_="lead").get_text() == "A revised summary."


@pytest.mark.parametrize(
    ("model", "lookup", "field", "new_value"),
    [
        (Reference, {"pmid": "34046305"}, "title", "A corrected title"),
        (ClinicLocation, {}, "street_address", "2 Example Street"),
        (BodyArea, {"name": "Knee"}, "name", "Knee joint"),
    ],
)
def test_a_changed_reference_location_or_body_area_shows_at_once(
    client, prolotherapy, model, lookup, field, new_value
):
    client.get(PROLOTHERAPY)
    instance = model.objects.get(**lookup)
    setattr(instance, field, new_value)
    instance.save()
    content = client.get(PROLOTHERAPY).content.decode()
    assert new_value in content
