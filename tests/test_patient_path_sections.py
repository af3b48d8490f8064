"""The sections of a patient's path: how to prepare, recovery and aftercare, alternatives, when
to get help and questions patients ask. Each is refused empty at publish with the error on its
field, heads itself with the treatment's name, and gives search engines only what it shows."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.test.utils.form_data import rich_text

from base.models import ClinicSettings
from locations.models import ClinicLocation
from practitioners.models import PractitionerPage
from procedures import blocks, care_blocks
from procedures.demo import prolotherapy_body
from procedures.models import ProcedureIndexPage, ProcedurePage, Reference
from tests.admin_forms import listblock, procedure_form_data
from tests.schema_org import schema_org_errors
from tests.test_html_validity import html_errors

NEW_SECTIONS = {"preparation", "aftercare", "alternatives", "urgent_help", "questions"}


def clean(block, raw):
    return block.clean(block.to_python(raw))


def field_errors(block, raw):
    with pytest.raises(StructBlockValidationError) as caught:
        clean(block, raw)
    return {name: " ".join(error.messages) for name, error in caught.value.block_errors.items()}


# Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "raw", "errors"),
    [
        (
            care_blocks.PreparationBlock(),
            {"introduction": "Before you come:", "steps": []},
            {"steps": "Add at least one step."},
        ),
        (
            care_blocks.AftercareBlock(),
            {"what_to_expect": "<p> </p>", "recovery_time": " ", "avoid": []},
            {"what_to_expect": "Say what to expect, how long recovery takes or what to avoid."},
        ),
        (
            care_blocks.AlternativesBlock(),
            {"introduction": "Other options:", "items": []},
            {"items": "Add at least one alternative."},
        ),
        (
            care_blocks.UrgentHelpBlock(),
            {"non_urgent": [], "urgent": [], "emergency": []},
            {
                "non_urgent": "List the symptoms of at least one level: non-urgent, urgent or "
                "emergency."
            },
        ),
        (care_blocks.QuestionsBlock(), {"items": []}, {"items": "Add at least one question."}),
    ],
    ids=["preparation", "aftercare", "alternatives", "urgent help", "questions"],
)
def test_an_empty_section_is_refused_with_the_error_on_its_field(block, raw, errors):
    assert field_errors(block, raw) == errors


def test_aftercare_needs_only_one_of_its_parts():
    block = care_blocks.AftercareBlock()
    assert clean(block, {"recovery_time": "A day or two."}).followup == "A day or two."
    assert clean(block, {"avoid": ["Swimming"]}).followup == "What to avoid: Swimming."


def test_a_preparation_step_needs_its_words():
    errors = field_errors(
        care_blocks.PreparationBlock(), {"steps": [{"step": "", "timing": "6 hours before"}]}
    )
    assert list(errors) == ["steps"]
    raw = {"steps": [{"step": "", "timing": "6 hours before"}]}
    with pytest.raises(StructBlockValidationError) as caught:
        clean(care_blocks.PreparationBlock(), raw)
    assert list(caught.value.block_errors["steps"].block_errors[0].block_errors) == ["step"]


def test_a_question_needs_its_answer():
    with pytest.raises(StructBlockValidationError) as caught:
        clean(
            care_blocks.QuestionsBlock(), {"items": [{"question": "Will it hurt?", "answer": ""}]}
        )
    assert list(caught.value.block_errors["items"].block_errors[0].block_errors) == ["answer"]


@pytest.mark.parametrize(
    ("chosen", "name", "errors"),
    [
        (False, "", {"page": "Choose one of our treatments or type a name."}),
        (True, "Physiotherapy", {"name": "Either choose a treatment or type a name, not both."}),
    ],
    ids=["neither", "both"],
)
def test_an_alternative_is_a_chosen_treatment_or_a_typed_name(demo_content, chosen, name, errors):
    page = ProcedurePage.objects.get(slug="prolotherapy").pk if chosen else None
    assert field_errors(
        care_blocks.AlternativeBlock(), {"page": page, "name": name, "note": "x"}
    ) == (errors)


def test_an_alternative_needs_a_note():
    assert field_errors(
        care_blocks.AlternativeBlock(), {"page": None, "name": "Physiotherapy", "note": ""}
    ) == {"note": "This field is required."}


@pytest.mark.parametrize(
    ("line", "number", "urgent", "errors"),
    [
        ("NHS 111", "", ["Fever"], {"urgent_line_number": "Give the urgent line's number."}),
        ("NHS 111", "none", ["Fever"], {"urgent_line_number": "Give the urgent line's number."}),
        ("", "111", ["Fever"], {"urgent_line": 'Name the urgent line, e.g. "NHS 111".'}),
        ("NHS 111", "111", [], {"urgent": "List the urgent symptoms that the urgent line is for."}),
    ],
    ids=["line without number", "number without digits", "number without line", "no symptoms"],
)
def test_an_urgent_line_needs_its_name_number_and_symptoms(line, number, urgent, errors):
    raw = {
        "non_urgent": ["Pain after 2 weeks"],
        "urgent": urgent,
        "urgent_line": line,
        "urgent_line_number": number,
        "emergency": [],
    }
    assert field_errors(care_blocks.UrgentHelpBlock(), raw) == errors


def test_a_draft_may_keep_the_new_sections_empty():
    stream_block = blocks.ProcedureStreamBlock()
    raw = [{"type": name, "value": {}, "id": name} for name in sorted(NEW_SECTIONS)]
    stream_block.defer_required_validation()
    try:
        stream_block.clean(stream_block.to_python(raw))
    finally:
        stream_block.restore_deferred_validation()
    with pytest.raises(ValidationError):
        stream_block.clean(stream_block.to_python(raw))


def test_a_page_has_at_most_one_list_of_questions():
    stream_block = blocks.ProcedureStreamBlock()
    question = {"items": [{"question": "Will it hurt?", "answer": "<p>A little.</p>"}]}
    raw = [{"type": "questions", "value": question, "id": str(i)} for i in range(2)]
    with pytest.raises(ValidationError):
        stream_block.clean(stream_block.to_python(raw))


def test_publishing_empty_new_sections_through_the_admin_puts_each_error_on_its_field(
    demo_content, client
):
    client.force_login(get_user_model().objects.create_superuser("su", "su@example.org", "pw"))
    index = ProcedureIndexPage.objects.get()
    body = [
        ("preparation", {"introduction": "", "steps": listblock([])}),
        (
            "aftercare",
            {"what_to_expect": rich_text(""), "recovery_time": "", "avoid": listblock([])},
        ),
        ("alternatives", {"introduction": "", "items": listblock([])}),
        (
            "urgent_help",
            {
                "non_urgent": listblock([]),
                "urgent": listblock([]),
                "urgent_line": "",
                "urgent_line_number": "",
                "emergency": listblock([]),
            },
        ),
        ("questions", {"items": listblock([])}),
    ]
    data = procedure_form_data("Sample treatment", "sample-treatment", body)
    data["action-publish"] = "action-publish"
    response = client.post(f"/admin/pages/add/procedures/procedurepage/{index.pk}/", data)
    assert response.status_code == 200
    assert not ProcedurePage.objects.filter(slug="sample-treatment").exists()
    error = response.context["form"].errors["body"].as_data()[0]
    assert {
        i: {name: e.messages for name, e in section_error.block_errors.items()}
        for i, section_error in error.block_errors.items()
    } == {
        0: {"steps": ["Add at least one step."]},
        1: {"what_to_expect": ["Say what to expect, how long recovery takes or what to avoid."]},
        2: {"items": ["Add at least one alternative."]},
        3: {
            "non_urgent": [
                "List the symptoms of at least one level: non-urgent, urgent or emergency."
            ]
        },
        4: {"items": ["Add at least one question."]},
    }

    # Saved as a draft instead, the page keeps every section as typed.
    del data["action-publish"]
    client.post(f"/admin/pages/add/procedures/procedurepage/{index.pk}/", data)
    page = ProcedurePage.objects.get(slug="sample-treatment")
    assert not page.live
    assert [block.block_type for block in page.get_latest_revision_as_object().body] == [
        name for name, _ in body
    ]


# A page with every section filled in ---------------------------------------------------------

PREPARATION = {
    "introduction": "Before your appointment:",
    "steps": [
        {"step": "Stop eating", "timing": "6 hours before"},
        {"step": "Bring a list of the medicines you take", "timing": ""},
    ],
}
AFTERCARE = {
    "what_to_expect": "<p>The treated area may be sore &amp; stiff for a few days.</p>",
    "recovery_time": "Most people go back to their usual activities the next day.",
    "avoid": ["Heavy lifting for 2 days", "Swimming until the site has healed"],
}
URGENT_HELP = {
    "non_urgent": ["You still have pain after 2 weeks"],
    "urgent": ["The injection site is hot, red and swollen"],
    "urgent_line": "NHS 111",
    "urgent_line_number": "111",
    "emergency": ["You have difficulty breathing", "Your face, lips or tongue swell"],
}
QUESTIONS = {
    "items": [
        {"question": "Will it hurt?", "answer": "<p>You may feel <b>some</b> pressure.</p>"},
        {"question": "Can I drive home?", "answer": "<ul><li>Not after sedation.</li></ul>"},
    ]
}


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def prolotherapy(demo_content):
    return ProcedurePage.objects.get(slug="prolotherapy")


def add_page_with_every_section():
    """A live page with every section of the stream filled in (sample content for testing),
    beside the demo content; its alternatives are the prolotherapy page and a treatment typed
    by name."""
    from forms.models import ContactFormPage

    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    wee, hauser = Reference.objects.order_by("year")
    body = prolotherapy_body(
        wee,
        hauser,
        ClinicLocation.objects.get(),
        ContactFormPage.objects.get(),
        PractitionerPage.objects.get(),
    )
    body[1:1] = [("preparation", PREPARATION)]
    body[5:5] = [("aftercare", AFTERCARE)]
    body[-3:-3] = [
        ("risks", {"introduction": "", "items": ["Nerve damage"]}),
        (
            "alternatives",
            {
                "introduction": "",
                "items": [
                    {"page": prolotherapy, "name": "", "note": "Injections of dextrose."},
                    {"page": None, "name": "Physiotherapy", "note": "Exercises with a therapist."},
                ],
            },
        ),
        ("urgent_help", URGENT_HELP),
        ("questions", QUESTIONS),
    ]
    page = ProcedureIndexPage.objects.get().add_child(
        instance=ProcedurePage(
            title="Sample injections",
            slug="sample-injections",
            summary="A sample treatment with every section, for testing.",
            name_is_plural=True,
            body=body,
        )
    )
    assert {block.block_type for block in page.body} == set(
        ProcedurePage.body.field.stream_block.child_blocks
    )
    return publish(page)


@pytest.fixture
def full_page(prolotherapy):
    return add_page_with_every_section()


def soup_of(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def section(soup, heading):
    h2 = soup.find("h2", string=heading)
    assert h2 is not None, f"no section headed {heading!r}"
    return h2.find_parent("section")


def lines(elements):
    return [" ".join(element.get_text(" ", strip=True).split()) for element in elements]


def json_ld(soup):
    (script,) = soup.find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_the_new_sections_are_headed_with_the_treatments_name(client, full_page):
    headings = lines(soup_of(client, full_page).select("main h2"))
    for heading in [
        "How to prepare for sample injections",
        "Recovery and aftercare after sample injections",
        "Alternatives to sample injections",
        "When to get help after sample injections",
        "Questions patients ask about sample injections",
    ]:
        assert heading in headings


@pytest.mark.parametrize("plural", [False, True])
def test_headings_read_right_for_a_singular_or_plural_name(db, plural):
    page = ProcedurePage(title="PRP injections" if plural else "Prolotherapy")
    page.name_is_plural = plural
    name = page.name_in_sentence
    page.body = [(kind, {}) for kind in ["preparation", "aftercare", "alternatives"]]
    html = page.body.render_as_block(context={"page": page})
    assert lines(BeautifulSoup(str(html), "html.parser").find_all("h2")) == [
        f"How to prepare for {name}",
        f"Recovery and aftercare after {name}",
        f"Alternatives to {name}",
    ]


def test_preparation_lists_its_steps_in_order_with_their_timing(client, full_page):
    part = section(soup_of(client, full_page), "How to prepare for sample injections")
    assert lines(part.find_all("p")) == ["Before your appointment:"]
    assert lines(part.select("ol li")) == [
        "Stop eating (6 hours before)",
        "Bring a list of the medicines you take",
    ]


def test_aftercare_shows_what_to_expect_how_long_and_what_to_avoid(client, full_page):
    part = section(soup_of(client, full_page), "Recovery and aftercare after sample injections")
    assert lines(part.find_all("h3")) == [
        "What to expect",
        "How long recovery takes",
        "What to avoid",
    ]
    assert "sore & stiff for a few days" in part.get_text()
    assert "the next day" in part.get_text()
    assert lines(part.find_all("li")) == AFTERCARE["avoid"]


def test_a_part_of_aftercare_left_empty_shows_no_heading(db):
    page = ProcedurePage(title="Prolotherapy")
    page.body = [("aftercare", {"recovery_time": "A day or two."})]
    html = BeautifulSoup(str(page.body.render_as_block(context={"page": page})), "html.parser")
    assert lines(html.find_all("h3")) == ["How long recovery takes"]


def test_alternatives_link_a_live_treatment_and_name_a_typed_one(client, full_page):
    part = section(soup_of(client, full_page), "Alternatives to sample injections")
    assert lines(part.find_all("li")) == [
        "Prolotherapy : Injections of dextrose.",
        "Physiotherapy : Exercises with a therapist.",
    ]
    assert [(a.get_text(), a["href"]) for a in part.find_all("a")] == [
        ("Prolotherapy", "/procedures/prolotherapy/")
    ]


def test_an_alternative_whose_page_is_not_live_is_named_without_a_link(
    client, full_page, prolotherapy
):
    soup_of(client, full_page)  # the article is now cached
    prolotherapy.unpublish()
    part = section(soup_of(client, full_page), "Alternatives to sample injections")
    assert "Prolotherapy" in lines(part.find_all("strong"))
    assert part.find_all("a") == []

    publish(prolotherapy)
    part = section(soup_of(client, full_page), "Alternatives to sample injections")
    assert [a["href"] for a in part.find_all("a")] == ["/procedures/prolotherapy/"]


def care_cards(soup):
    part = section(soup, "When to get help after sample injections")
    cards = part.select(".care-card")
    for card in cards:
        # Each level is a region named by its heading, which says the level in words.
        heading = card.find("h3")
        assert card.name == "section" and card["aria-labelledby"] == heading["id"]
        assert heading.find("svg")["aria-hidden"] == "true"
    return [
        (
            " ".join(card.find("h3").get_text(" ", strip=True).split()),
            lines(card.find_all("li")),
            [(a.get_text(), a["href"]) for a in card.select(".care-card__body a")],
        )
        for card in cards
    ]


def test_when_to_get_help_shows_three_levels_with_the_clinics_numbers(client, full_page):
    assert care_cards(soup_of(client, full_page)) == [
        (
            "Non-urgent advice: Contact the clinic if:",
            ["You still have pain after 2 weeks"],
            [("+44 20 7946 0000", "tel:+442079460000")],
        ),
        (
            "Urgent advice: Call the clinic now or NHS 111 if:",
            ["The injection site is hot, red and swollen"],
            [("+44 20 7946 0000", "tel:+442079460000"), ("111", "tel:111")],
        ),
        (
            "Immediate action required: Call 999 now if:",
            ["You have difficulty breathing", "Your face, lips or tongue swell"],
            [("Call 999", "tel:999")],
        ),
    ]


def test_the_emergency_number_comes_from_the_clinic_settings_at_once(client, full_page):
    (stored,) = [b["value"] for b in full_page.body.raw_data if b["type"] == "urgent_help"]
    assert "999" not in json.dumps(stored)
    soup_of(client, full_page)  # the article is now cached
    settings = ClinicSettings.objects.get()
    settings.emergency_number = "112"
    settings.phone = ""
    settings.save()
    cards = care_cards(soup_of(client, full_page))
    assert cards[2][0] == "Immediate action required: Call 112 now if:"
    assert cards[2][2] == [("Call 112", "tel:112")]
    # Without the clinic's phone, the urgent card still gives the urgent line.
    assert cards[0][2] == [] and cards[1][2] == [("111", "tel:111")]


def test_a_level_without_symptoms_is_left_out(db):
    page = ProcedurePage(title="Prolotherapy")
    page.body = [("urgent_help", {"emergency": ["You have difficulty breathing"]})]
    html = BeautifulSoup(str(page.body.render_as_block(context={"page": page})), "html.parser")
    assert [card["class"] for card in html.select(".care-card")] == [
        ["care-card", "care-card--emergency"]
    ]


def test_questions_show_each_question_and_its_answer(client, full_page):
    part = section(soup_of(client, full_page), "Questions patients ask about sample injections")
    assert lines(part.find_all("h3")) == ["Will it hurt?", "Can I drive home?"]
    assert lines(part.select(".rich-text")) == [
        "You may feel some pressure.",
        "Not after sedation.",
    ]


# Structured data ------------------------------------------------------------------------------


def test_structured_data_of_the_new_sections_is_what_the_page_shows(client, full_page):
    soup = soup_of(client, full_page)
    data = json_ld(soup)
    web_page, faq, _clinic = data["@graph"]
    therapy = web_page["about"]
    assert therapy["preparation"] == lines(
        section(soup, "How to prepare for sample injections").select("ol li")
    )
    schedule = section(soup, "How often sample injections are given").find_all("p")[-1]
    aftercare = section(soup, "Recovery and aftercare after sample injections")
    assert therapy["followup"] == " ".join(
        [
            schedule.get_text(),
            "The treated area may be sore & stiff for a few days.",
            AFTERCARE["recovery_time"],
            "What to avoid: Heavy lifting for 2 days; Swimming until the site has healed.",
        ]
    )
    assert all(item in aftercare.get_text() for item in AFTERCARE["avoid"])

    shown = section(soup, "Questions patients ask about sample injections")
    assert faq == {
        "@type": "FAQPage",
        "@id": f"{web_page['url']}#questions",
        "url": web_page["url"],
        "isPartOf": {"@id": web_page["@id"]},
        "mainEntity": [
            {
                "@type": "Question",
                "name": question,
                "acceptedAnswer": {"@type": "Answer", "text": answer},
            }
            for question, answer in zip(
                lines(shown.find_all("h3")), lines(shown.select(".rich-text")), strict=True
            )
        ],
    }


def test_a_page_with_every_section_is_valid_schema_org(client, full_page):
    assert schema_org_errors(json_ld(soup_of(client, full_page))) == []


def test_the_prolotherapy_page_is_valid_schema_org(client, prolotherapy):
    assert schema_org_errors(json_ld(soup_of(client, prolotherapy))) == []


@pytest.mark.parametrize(
    ("node", "error"),
    [
        ({"@type": "MedicalProcedur"}, "'MedicalProcedur' is not a schema.org type"),
        ({"@type": "MedicalTherapy", "preperation": "x"}, "'preperation' is not a schema.org"),
        ({"@type": "FAQPage", "preparation": "x"}, "FAQPage has no property 'preparation'"),
        (
            {"@type": "Question", "acceptedAnswer": {"@type": "Answer", "followup": "x"}},
            "$.@graph[0].acceptedAnswer: Answer has no property 'followup'",
        ),
    ],
    ids=["misspelt type", "misspelt property", "property of another type", "nested"],
)
def test_the_vocabulary_check_finds_what_schema_org_does_not_have(node, error):
    errors = schema_org_errors({"@context": "https://schema.org", "@graph": [node]})
    assert len(errors) == 1 and error in errors[0], errors


def test_the_vocabulary_check_accepts_a_property_of_a_supertype():
    # preparation belongs to MedicalProcedure, of which MedicalTherapy is a kind; url to Thing.
    node = {"@type": "MedicalTherapy", "preparation": ["x"], "url": "https://example.org/"}
    assert schema_org_errors({"@context": "https://schema.org", **node}) == []


# Demo content ---------------------------------------------------------------------------------


def test_the_prolotherapy_page_has_no_section_its_source_does_not_support(client, prolotherapy):
    """The source page says nothing on preparation, aftercare, alternatives, when to get help
    or patients' questions, so the demo page has none of those sections; what it says follows
    the series of treatments (the schedule's last sentence) is its followup."""
    assert NEW_SECTIONS.isdisjoint(block.block_type for block in prolotherapy.body)
    soup = soup_of(client, prolotherapy)
    web_page, _clinic = json_ld(soup)["@graph"]
    assert "preparation" not in web_page["about"]
    assert web_page["about"]["followup"] == (
        "Many patients may need treatment at less frequent intervals until treatments are "
        "rarely required, if at all."
    )
    assert web_page["about"]["followup"] in soup.find("main").get_text()


# Valid HTML -----------------------------------------------------------------------------------


def test_a_page_with_every_section_is_valid_html(client, full_page, tmp_path):
    errors = html_errors({"every section": client.get(full_page.url).content}, tmp_path)
    assert errors == [], "\n".join(errors)


def test_alternatives_whose_pages_were_all_deleted_show_no_empty_list(client, full_page):
    """The fault this product exists to prevent: a heading over an empty list. With the
    chosen page deleted and the typed one removed, the section asks the patient to ask."""
    stream = full_page.body
    position = next(i for i, block in enumerate(stream) if block.block_type == "alternatives")
    stream[position].value["items"] = [
        item for item in stream[position].value["items"] if item["page"] is not None
    ]
    publish(full_page)
    ProcedurePage.objects.get(slug="prolotherapy").delete()

    part = section(soup_of(client, full_page), "Alternatives to sample injections")
    assert part.find_all("li") == []
    assert part.find("ul") is None
    assert "Please ask us about other treatments that may suit you." in part.get_text()
