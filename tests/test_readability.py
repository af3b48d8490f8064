"""How readable a treatment page is: its SMOG grade, section by section and for the whole page,
in the editor's preview and in the Treatments listing, against the clinic's target."""

import csv
import io
from decimal import Decimal

import pytest
import textstat
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from wagtail import blocks
from wagtail.models import Site
from wagtail.test.utils.form_data import rich_text

from base.models import ClinicSettings
from forms.models import ContactFormPage
from procedures.models import ProcedurePage
from procedures.readability import (
    block_text,
    page_readability,
    page_sections,
    page_smog,
    rich_text_pieces,
    score,
)
from tests.admin_forms import listblock, minimal_procedure_body, procedure_form_data
from tests.conftest import add_procedures

# Plain words; no medical claim. Five sentences, three words of three syllables or more
# ("medicines", "allergies", "available"): SMOG = 1.043 × √(30 × 3 / 5) + 3.1291.
PASSAGE = [
    "The clinic opens at nine. Please arrive ten minutes early.",
    "Bring a list of the medicines you take. Tell the nurse about any allergies you have.",
    "Parking is available behind the building.",
]
LONG_WORDS = (
    "Considerable intraarticular inflammation necessitates comprehensive multidisciplinary "
    "evaluation."
)
SHORT_WORDS = "Take a seat and wait. We will call you in."


def clinic_settings():
    return ClinicSettings.for_site(Site.objects.get(is_default_site=True))


LISTING = "/admin/procedures/procedurepage/"
READING_LEVEL_COLUMN = 5  # its place in TreatmentsAdmin.list_display


def test_the_smog_grade_of_a_known_passage():
    text = " ".join(PASSAGE)
    assert textstat.smog_index(text) == pytest.approx(7.5542, abs=1e-4)
    assert score(PASSAGE) == score([text])
    result = score(PASSAGE)
    assert result.smog == Decimal("7.6")
    assert result.flesch_kincaid == Decimal("5.0")
    assert result.words == 32


def test_no_text_has_no_grade():
    result = score(["", "   "])
    assert (result.smog, result.flesch_kincaid, result.words) == (None, None, 0)
    assert not result.above(10)


def test_each_piece_reads_as_a_sentence():
    """A list item or a line without a full stop is read on its own, not run into the next."""
    assert score(["Local abscess", "Bleeding disorders", "Septic arthritis"]) == score(
        ["Local abscess.", "Bleeding disorders.", "Septic arthritis."]
    )


def test_rich_text_is_read_without_its_markup():
    html = (
        "<h3>Before you come</h3><p>Eat as &amp; when you like.<br>Wear loose clothes.</p>"
        '<ul><li>Bring <b>your</b> <a href="/x">letter</a></li><li>Bring a friend</li></ul>'
    )
    assert rich_text_pieces(html) == [
        "Before you come",
        "Eat as & when you like.",
        "Wear loose clothes.",
        "Bring your letter",
        "Bring a friend",
    ]


def test_a_section_that_nobody_named_is_read_too():
    """Text is found by walking the blocks, whatever they are: a new kind of section needs no
    change to be scored."""
    stream = blocks.StreamBlock(
        [
            (
                "questions",
                blocks.StructBlock(
                    [
                        ("intro", blocks.TextBlock()),
                        (
                            "items",
                            blocks.ListBlock(
                                blocks.StructBlock(
                                    [
                                        ("question", blocks.CharBlock()),
                                        ("answer", blocks.RichTextBlock()),
                                        ("kind", blocks.ChoiceBlock(choices=[("a", "Kind A")])),
                                        ("order", blocks.IntegerBlock()),
                                    ]
                                )
                            ),
                        ),
                    ]
                ),
            )
        ]
    )
    value = stream.to_python(
        [
            {
                "type": "questions",
                "value": {
                    "intro": "Line one\n\nLine two",
                    "items": [
                        {
                            "question": "Does it hurt?",
                            "answer": "<p>A little.</p><p>Not for long.</p>",
                            "kind": "a",
                            "order": 3,
                        }
                    ],
                },
            }
        ]
    )
    assert block_text(stream, value) == [
        "Line one",
        "Line two",
        "Does it hurt?",
        "A little.",
        "Not for long.",
    ]


@pytest.fixture
def prolotherapy(demo_content):
    return ProcedurePage.objects.get(slug="prolotherapy")


def test_each_section_of_a_page_gives_its_text(prolotherapy):
    sections = dict(page_sections(prolotherapy))
    assert list(sections) == [
        "Summary",
        "What is prolotherapy?",
        "What the evidence says about prolotherapy",
        "How prolotherapy is done",
        "How often prolotherapy is given",
        "Who should not have prolotherapy",
        "Side effects of prolotherapy",
        "Where to have prolotherapy",
        "Who gives prolotherapy",
        "Sources",
        "Call to action",
    ]
    evidence = sections["What the evidence says about prolotherapy"]
    # The statement, each finding's conclusion, its recommendations' text and its caveats;
    # not the grade chosen from a list, nor the references chosen.
    assert evidence[0].startswith("Prolotherapy remains unproven at present.")
    assert "knee osteoarthritis" in evidence
    assert "The studies had a high risk of bias." in evidence
    assert not any("Recommendation based on" in piece for piece in evidence)
    assert not any("Wee" in piece for piece in evidence)
    # Rich text without its markup, one piece per paragraph.
    what = sections["What is prolotherapy?"]
    assert len(what) == 2 and not any("<" in piece for piece in what)
    # List items, and struct values inside lists.
    assert sections["Who should not have prolotherapy"][:2] == [
        "Local abscess",
        "Bleeding disorders",
    ]
    side_effects = sections["Side effects of prolotherapy"]
    assert side_effects[:3] == [
        "Reported side effects are generally mild and temporary.",
        "Mild pain and irritation at the injection site",
        "often within 72 hours of the injection",
    ]
    # Numbers, chosen locations and pages are not text.
    assert sections["Where to have prolotherapy"] == []
    assert sections["Sources"] == ["PubMed"]
    assert sections["Call to action"] == [
        "Contact us today",
        "Questions about prolotherapy? Send us a message or call us.",
        "Contact us",
    ]


def test_the_whole_page_is_scored_from_all_its_sections(prolotherapy):
    readability = page_readability(prolotherapy)
    all_text = [piece for _, pieces in page_sections(prolotherapy) for piece in pieces]
    assert readability.page == score(all_text)
    assert [section.score for section in readability.sections] == [
        score(pieces) for _, pieces in page_sections(prolotherapy)
    ]
    assert readability.sections[7].score.smog is None  # the map: no text


def test_the_grade_is_kept_with_the_page_when_it_is_saved_and_published(prolotherapy):
    assert prolotherapy.smog_grade is not None
    assert prolotherapy.smog_grade == page_smog(prolotherapy)

    draft = prolotherapy.get_latest_revision_as_object()
    draft.summary = LONG_WORDS
    draft.body = []
    revision = draft.save_revision()
    prolotherapy.refresh_from_db()
    assert prolotherapy.smog_grade != Decimal("18.2")  # a draft leaves the live page's grade

    revision.publish()
    prolotherapy.refresh_from_db()
    assert prolotherapy.smog_grade == Decimal("18.2") == score([LONG_WORDS]).smog


# The Treatments listing


@pytest.fixture
def superuser_client(client, db):
    user = get_user_model().objects.create_superuser("admin", "admin@clinic.example", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def three_pages(demo_content):
    """Three treatments whose text reads at three levels (their summaries are all they say)."""
    pages = add_procedures(3, title="Readable")
    texts = [SHORT_WORDS, LONG_WORDS, " ".join(PASSAGE)]
    for page, text in zip(pages, texts, strict=True):
        page.summary = text
        page.save()
    return {page.title: page for page in pages}


def listing_rows(client, query=""):
    soup = BeautifulSoup(client.get(f"{LISTING}{query}").content, "html.parser")
    headings = [th.get_text(" ", strip=True) for th in soup.select("table.listing thead th")]
    column = headings.index("Reading level (SMOG)")
    rows = []
    for row in soup.select("table.listing tbody tr"):
        cells = row.find_all("td")
        title = cells[0].find("a").get_text(strip=True) if cells[0].find("a") else ""
        rows.append((title, cells[column].get_text(" ", strip=True)))
    return [(title, level) for title, level in rows if title.startswith("Readable")]


def test_the_listing_shows_each_pages_reading_level(superuser_client, three_pages):
    assert sorted(listing_rows(superuser_client)) == [
        ("Readable 001", "3.1"),
        ("Readable 002", "18.2 Above 10"),
        ("Readable 003", "7.6"),
    ]


def test_the_listing_sorts_by_reading_level_in_the_database(superuser_client, three_pages):
    ascending = listing_rows(superuser_client, f"?o={READING_LEVEL_COLUMN}")
    assert [title for title, _ in ascending] == ["Readable 001", "Readable 003", "Readable 002"]
    descending = listing_rows(superuser_client, f"?o=-{READING_LEVEL_COLUMN}")
    assert [title for title, _ in descending] == ["Readable 002", "Readable 003", "Readable 001"]


def test_the_listing_marks_pages_against_the_clinics_own_target(superuser_client, three_pages):
    settings = clinic_settings()
    settings.smog_target = 7
    settings.save()
    assert sorted(listing_rows(superuser_client)) == [
        ("Readable 001", "3.1"),
        ("Readable 002", "18.2 Above 7"),
        ("Readable 003", "7.6 Above 7"),
    ]


def test_the_export_has_the_reading_level(superuser_client, three_pages):
    response = superuser_client.get(f"{LISTING}?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    column = rows[0].index("Reading level (SMOG grade)")
    grades = {row[0]: row[column] for row in rows[1:]}
    assert (grades["Readable 001"], grades["Readable 002"]) == ("3.1", "18.2")


# The clinic's target


def test_the_target_is_10_unless_the_clinic_sets_another(demo_content):
    assert clinic_settings().smog_target == 10


@pytest.mark.parametrize("target, error", [("3", "greater than or equal to 4"), ("21", "less")])
def test_a_target_out_of_range_is_refused_next_to_its_field(superuser_client, target, error):
    clinic_settings()
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/base/clinicsettings/{site.pk}/"
    form = superuser_client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["smog_target"] = target
    response = superuser_client.post(url, data)
    assert error in str(response.context["form"].errors["smog_target"])
    assert clinic_settings().smog_target == 10


# The editor's preview


def preview(client, page, body, summary):
    """Post the edit form to the preview as the editor's preview panel does, then read the
    readability preview as the panel shows it."""
    data = procedure_form_data(page.title, page.slug, body, summary=summary)
    url = f"/admin/pages/{page.pk}/edit/preview/"
    assert client.post(url, data).json() == {"is_valid": True, "is_available": True}
    return BeautifulSoup(client.get(f"{url}?mode=readability").content, "html.parser")


def description(text):
    return ("description", {"section": "how", "custom_heading": "", "body": rich_text(text)})


def shown(soup):
    """The preview's whole-page figure, its warning, and each section's row as read."""
    page = soup.select_one("[data-readability-page]")
    warning = page.select_one("[data-readability-warning]")
    return {
        "smog": page.select_one("[data-smog]").get_text(),
        "warning": warning.get_text(" ", strip=True) if warning else None,
        "sections": [
            [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
            for row in soup.select("[data-readability-section]")
        ],
    }


def test_the_preview_shows_each_section_and_the_page_against_the_target(
    superuser_client, prolotherapy
):
    soup = preview(
        superuser_client,
        prolotherapy,
        [description(f"<p>{LONG_WORDS}</p>"), ("sources", {"extra_credits": listblock([])})],
        summary=SHORT_WORDS,
    )
    result = shown(soup)
    whole = score([SHORT_WORDS, LONG_WORDS])
    assert result["smog"] == str(whole.smog) and whole.smog > 10
    assert result["warning"].startswith("Above the target of 10.")
    assert "You can still save and publish it." in result["warning"]
    assert result["sections"] == [
        ["Summary", "3.1", "0", "10"],  # 0: Flesch-Kincaid does not go below nought
        ["How prolotherapy is done", "18.2 above target", "41.1", "7"],
        ["Sources", "No text"],
    ]

    soup = preview(
        superuser_client, prolotherapy, [description(f"<p>{SHORT_WORDS}</p>")], SHORT_WORDS
    )
    result = shown(soup)
    assert result["smog"] == "3.1"
    assert result["warning"] is None
    assert "Within the target of 10." in soup.select_one("[data-readability-page]").get_text()


def test_the_preview_uses_the_clinics_target(superuser_client, prolotherapy):
    settings = clinic_settings()
    settings.smog_target = 19
    settings.save()
    soup = preview(superuser_client, prolotherapy, [description(f"<p>{LONG_WORDS}</p>")], "")
    assert shown(soup)["warning"] is None
    assert "SMOG grade 19 or below" in soup.get_text()


def test_a_page_above_the_target_can_still_be_published(superuser_client, prolotherapy):
    contact = ContactFormPage.objects.get()
    body = [description(f"<p>{LONG_WORDS}</p>"), *minimal_procedure_body(contact.pk)[1:]]
    data = procedure_form_data(prolotherapy.title, prolotherapy.slug, body, summary=LONG_WORDS)
    data["action-publish"] = "action-publish"
    response = superuser_client.post(f"/admin/pages/{prolotherapy.pk}/edit/", data)
    assert response.status_code == 302
    prolotherapy.refresh_from_db()
    assert prolotherapy.summary == LONG_WORDS
    assert not prolotherapy.has_unpublished_changes
    assert prolotherapy.smog_grade == Decimal("18.2")
