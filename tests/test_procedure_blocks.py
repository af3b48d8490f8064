"""Each procedure block refuses bad content with the error on the field at fault.

These pin the README's table of what each block refuses, row by row. Some rows are kept by
Wagtail's own required and choice checks (a description's text, a SORT grade, a side
effect's name, the map's location, the contact page): they are tested because the README
promises them, so a block made optional by mistake fails here."""

import json
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from wagtail import blocks as wagtail_blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.test.utils.form_data import rich_text

from forms.models import ContactFormPage
from home.demo import staff_password
from locations.models import ClinicLocation
from procedures import block_text, blocks, care_blocks, medical_blocks
from procedures.models import ProcedureIndexPage, ProcedurePage, Reference
from tests.admin_forms import STANDARD_SECTION_TYPES, procedure_form_data


def clean(block, raw):
    return block.clean(block.to_python(raw))


def field_errors(block, raw):
    with pytest.raises(StructBlockValidationError) as caught:
        clean(block, raw)
    return caught.value.block_errors


def messages(error):
    return " ".join(error.messages)


def test_contraindications_need_at_least_one_item():
    errors = field_errors(medical_blocks.ContraindicationsBlock(), {"absolute": [], "relative": []})
    assert list(errors) == ["absolute"]
    assert messages(errors["absolute"]) == "Add at least one contraindication."


def test_contraindications_keep_absolute_and_relative_apart():
    value = clean(
        medical_blocks.ContraindicationsBlock(),
        {"absolute": [], "relative": ["Acute fracture"]},
    )
    assert list(value["absolute"]) == []
    assert list(value["relative"]) == ["Acute fracture"]


def test_side_effects_need_at_least_one_item():
    errors = field_errors(medical_blocks.SideEffectsBlock(), {"introduction": "Mild.", "items": []})
    assert list(errors) == ["items"]
    assert messages(errors["items"]) == "Add at least one side effect."


def test_a_side_effect_needs_its_name():
    errors = field_errors(
        medical_blocks.SideEffectsBlock(), {"items": [{"effect": "", "note": "often"}]}
    )
    assert list(errors) == ["items"]
    item_errors = errors["items"].block_errors
    assert list(item_errors[0].block_errors) == ["effect"]


def test_risks_need_at_least_one_item():
    errors = field_errors(medical_blocks.RisksBlock(), {"introduction": "", "items": []})
    assert list(errors) == ["items"]
    assert messages(errors["items"]) == "Add at least one risk or complication."


def test_evidence_needs_a_finding():
    errors = field_errors(
        medical_blocks.EvidenceBlock(), {"statement": "Unproven.", "findings": []}
    )
    assert list(errors) == ["findings"]


def test_a_finding_must_cite_a_reference():
    raw = {
        "statement": "Unproven.",
        "findings": [{"conclusion": "Helps a little.", "references": [], "recommendations": []}],
    }
    errors = field_errors(medical_blocks.EvidenceBlock(), raw)
    finding_errors = errors["findings"].block_errors[0].block_errors
    assert list(finding_errors) == ["references"]
    assert messages(finding_errors["references"]) == "Cite at least one reference."


def test_a_recommendation_needs_a_sort_grade():
    block = medical_blocks.RecommendationBlock()
    with pytest.raises(StructBlockValidationError) as caught:
        clean(block, {"population": "knee osteoarthritis", "grade": "D"})
    assert list(caught.value.block_errors) == ["grade"]


def test_schedule_ranges_must_not_run_backwards():
    raw = {
        "interval_min_weeks": 6,
        "interval_max_weeks": 2,
        "sessions_min": 6,
        "sessions_max": 3,
    }
    errors = field_errors(medical_blocks.TreatmentScheduleBlock(), raw)
    assert set(errors) == {"interval_max_weeks", "sessions_max"}


def test_schedule_words_itself():
    value = clean(
        medical_blocks.TreatmentScheduleBlock(),
        {
            "interval_min_weeks": 2,
            "interval_max_weeks": 6,
            "duration": "for several months",
            "sessions_min": 3,
            "sessions_max": 6,
            "sessions_or_more": True,
        },
    )
    assert value.sentence == (
        "Sessions are usually given every 2 to 6 weeks for several months, "
        "in a series of 3 to 6 or more treatments."
    )
    single = clean(
        medical_blocks.TreatmentScheduleBlock(), {"interval_min_weeks": 1, "sessions_min": 1}
    )
    assert single.sentence == "Sessions are usually given every 1 week, in a series of 1 treatment."


def test_description_with_its_own_heading_needs_that_heading():
    errors = field_errors(
        medical_blocks.DescriptionBlock(),
        {"section": "other", "custom_heading": " ", "body": "<p>x</p>"},
    )
    assert list(errors) == ["custom_heading"]


def test_description_needs_its_text():
    errors = field_errors(medical_blocks.DescriptionBlock(), {"section": "what", "body": ""})
    assert list(errors) == ["body"]


def test_location_map_needs_a_location():
    errors = field_errors(care_blocks.LocationMapBlock(), {"location": None, "zoom": 16})
    assert list(errors) == ["location"]


def test_call_to_action_needs_the_contact_page():
    errors = field_errors(care_blocks.CallToActionBlock(), {"heading": "Contact us", "page": None})
    assert "page" in errors


def test_a_draft_may_be_saved_with_sections_still_empty():
    """Wagtail defers required-field checks while a draft is saved; publishing applies them."""
    block = blocks.ProcedureStreamBlock()
    raw = [{"type": "side_effects", "value": {"items": []}, "id": "a"}]
    block.defer_required_validation()
    try:
        block.clean(block.to_python(raw))
    finally:
        block.restore_deferred_validation()
    with pytest.raises(ValidationError):
        block.clean(block.to_python(raw))


def test_every_block_has_icon_description_and_preview():
    for name, block in blocks.ProcedureStreamBlock().child_blocks.items():
        assert block.meta.icon not in (None, "placeholder"), name
        assert block.meta.description, name
        assert block.get_preview_value() is not None, name
        assert block.meta.template, name
        # The block picker's preview renders without a page around it.
        html = block.render(block.get_preview_value(), context={})
        assert "this treatment" in html or name in ("call_to_action", "sources"), name


def make_reference(**overrides):
    fields = {
        "authors": "Wee TC, et al.",
        "title": "Dextrose prolotherapy in knee osteoarthritis",
        "journal": "J Clin Orthop Trauma",
        "year": 2021,
        "doi": "10.1016/j.jcot.2021.05.015",
    }
    fields.update(overrides)
    return Reference(**fields)


@pytest.mark.parametrize("doi", ["10.1016", "11.1016/abc", "doi 10.1016/x y", "10.12/x"])
def test_a_malformed_doi_is_refused(doi):
    with pytest.raises(ValidationError) as caught:
        make_reference(doi=doi).full_clean()
    assert list(caught.value.message_dict) == ["doi"]


@pytest.mark.parametrize("pmid", ["PMID34046305", "123456789", "34046305a"])
def test_a_malformed_pmid_is_refused(pmid):
    with pytest.raises(ValidationError) as caught:
        make_reference(pmid=pmid).full_clean()
    assert "pmid" in caught.value.message_dict


def test_a_reference_needs_a_doi_pmid_or_url():
    with pytest.raises(ValidationError) as caught:
        make_reference(doi="").full_clean()
    assert caught.value.message_dict == {"doi": ["Give at least one of DOI, PMID or URL."]}
    make_reference(doi="", url="https://example.org/paper").full_clean()
    make_reference(doi="", pmid="34046305").full_clean()


def test_a_doi_link_is_stored_as_the_bare_doi():
    reference = make_reference(doi="https://doi.org/10.1016/j.jcot.2021.05.015")
    reference.full_clean()
    assert reference.doi == "10.1016/j.jcot.2021.05.015"
    assert reference.doi_url == "https://doi.org/10.1016/j.jcot.2021.05.015"


def sources_entries(*references):
    """The entries of a page's list of sources citing `references`: (text, link targets)."""
    html = render_to_string(
        "procedures/blocks/sources.html",
        {"page": SimpleNamespace(cited_references=references), "value": {"extra_credits": []}},
    )
    return [
        (" ".join(li.get_text().split()), [a["href"] for a in li.find_all("a")])
        for li in BeautifulSoup(html, "html.parser").find_all("li")
    ]


def test_citation_style():
    reference = make_reference(
        title="Dextrose prolotherapy in knee osteoarthritis: A systematic review and meta-analysis",
        date_detail="May 20",
        volume="19",
        pages="108–117",
        pmid="34046305",
    )
    web_only = make_reference(doi="", title="Prolotherapy?", url="https://example.org/paper")
    assert sources_entries(reference, web_only) == [
        (
            "Wee TC, et al. Dextrose prolotherapy in knee osteoarthritis: A systematic review and "
            "meta-analysis. J Clin Orthop Trauma. 2021 May 20;19:108–117. "
            "doi:10.1016/j.jcot.2021.05.015. PubMed 34046305.",
            [
                "https://doi.org/10.1016/j.jcot.2021.05.015",
                "https://pubmed.ncbi.nlm.nih.gov/34046305/",
            ],
        ),
        (
            "Wee TC, et al. Prolotherapy? J Clin Orthop Trauma. 2021. https://example.org/paper.",
            ["https://example.org/paper"],
        ),
    ]
    # The best link, as search engines are given it: the DOI, else PubMed, else the URL.
    assert [reference.link, web_only.link] == [
        "https://doi.org/10.1016/j.jcot.2021.05.015",
        "https://example.org/paper",
    ]


def initial_body_form_state(client):
    """The body of a new procedure page as the admin's editor receives it: the JSON that the
    add view hands to the StreamField's JavaScript (each block's `get_form_state`)."""
    assert client.login(username="marketing", password=staff_password("marketing"))
    index = ProcedureIndexPage.objects.get()
    response = client.get(f"/admin/pages/add/procedures/procedurepage/{index.pk}/")
    assert response.status_code == 200
    widget = BeautifulSoup(response.content, "html.parser").find(id="body")
    value, errors = json.loads(widget["data-w-block-arguments-value"])
    assert errors is None
    return value


def assert_complete(block, state, path):
    """Every field of every struct is in the form state, and no value is a stray "undefined"."""
    assert state != "undefined", path
    if isinstance(block, wagtail_blocks.StructBlock):
        assert set(state) == set(block.child_blocks), path
        for name, child in block.child_blocks.items():
            assert_complete(child, state[name], f"{path}.{name}")
    elif isinstance(block, wagtail_blocks.ListBlock):
        for i, item in enumerate(state):
            assert_complete(block.child_block, item["value"], f"{path}[{i}]")
    elif isinstance(block, wagtail_blocks.RichTextBlock):
        # Draftail starts from a contentstate document, never from nothing.
        contentstate = json.loads(state)
        assert set(contentstate) == {"blocks", "entityMap"}, path


def test_a_new_page_opens_in_the_editor_with_every_field_of_every_section(demo_content, client):
    state = initial_body_form_state(client)
    stream_block = ProcedurePage._meta.get_field("body").stream_block
    assert [child["type"] for child in state] == STANDARD_SECTION_TYPES
    # Each section has an id of its own: the editor builds element ids and anchors from it.
    ids = [child["id"] for child in state]
    assert None not in ids and len(set(ids)) == len(ids)
    for i, child in enumerate(state):
        assert_complete(stream_block.child_blocks[child["type"]], child["value"], f"body[{i}]")
    assert "undefined" not in json.dumps(state)

    by_type = {child["type"]: child["value"] for child in state}
    descriptions = [child["value"]["section"] for child in state if child["type"] == "description"]
    assert descriptions == [["what"], ["how"]]
    assert by_type["location_map"]["zoom"] == "16"
    assert by_type["location_map"]["location"]["id"] == ClinicLocation.objects.get().pk
    call_to_action = by_type["call_to_action"]
    assert call_to_action["heading"] == "Contact us today"
    assert call_to_action["text"] == (
        "Have a question about this treatment? Send us a message or call us."
    )
    assert call_to_action["button_label"] == "Contact us"
    assert call_to_action["page"]["id"] == ContactFormPage.objects.get().pk
    # Empty, as when an editor adds the section with the "+" button.
    assert not by_type["evidence"]["statement"]
    assert not by_type["treatment_schedule"]["duration"]
    assert by_type["side_effects"]["items"] == []


def test_a_new_page_saved_as_it_opens_stores_no_undefined(demo_content):
    page = ProcedurePage(title="New treatment")
    stored = json.dumps(list(page.body.raw_data))
    assert "undefined" not in stored
    description = page.body[0].value
    assert set(description) == {"section", "custom_heading", "body"}
    assert description["body"].source == ""


def headings(page):
    """The section headings of a page's body as a patient reads them."""
    html = page.body.render_as_block(context={"page": page})
    return [h2.get_text() for h2 in BeautifulSoup(str(html), "html.parser").find_all("h2")]


def sample_page(title, heading_name="", name_is_plural=False):
    page = ProcedurePage(title=title, heading_name=heading_name, name_is_plural=name_is_plural)
    page.body = [
        ("description", {"section": "what", "body": "<p>x</p>"}),
        ("description", {"section": "how", "body": "<p>x</p>"}),
        ("description", {"section": "who", "body": "<p>x</p>"}),
        ("treatment_schedule", {"interval_min_weeks": 2, "sessions_min": 3}),
        ("side_effects", {"items": [{"effect": "Bruising"}]}),
    ]
    return page


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            ("Prolotherapy",),
            [
                "What is prolotherapy?",
                "How prolotherapy is done",
                "Who prolotherapy may help",
                "How often prolotherapy is given",
                "Side effects of prolotherapy",
            ],
        ),
        (
            ("Platelet-rich plasma injections", "", True),
            [
                "What are platelet-rich plasma injections?",
                "How platelet-rich plasma injections are done",
                "Who platelet-rich plasma injections may help",
                "How often platelet-rich plasma injections are given",
                "Side effects of platelet-rich plasma injections",
            ],
        ),
        (
            ("PRP injections", "", True),
            [
                "What are PRP injections?",
                "How PRP injections are done",
                "Who PRP injections may help",
                "How often PRP injections are given",
                "Side effects of PRP injections",
            ],
        ),
        (
            ("MRI-guided nerve block",),
            [
                "What is MRI-guided nerve block?",
                "How MRI-guided nerve block is done",
                "Who MRI-guided nerve block may help",
                "How often MRI-guided nerve block is given",
                "Side effects of MRI-guided nerve block",
            ],
        ),
        (
            ("Platelet-rich plasma", "platelet-rich plasma (PRP) injections", True),
            [
                "What are platelet-rich plasma (PRP) injections?",
                "How platelet-rich plasma (PRP) injections are done",
                "Who platelet-rich plasma (PRP) injections may help",
                "How often platelet-rich plasma (PRP) injections are given",
                "Side effects of platelet-rich plasma (PRP) injections",
            ],
        ),
    ],
    ids=["singular", "plural", "leading acronym", "acronym mid-word", "name typed by the editor"],
)
def test_headings_read_right_for_any_name(db, name, expected):
    assert headings(sample_page(*name)) == expected


def test_a_custom_heading_is_shown_as_typed(demo_content):
    page = sample_page("PRP injections", name_is_plural=True)
    page.body = [
        ("description", {"section": "other", "custom_heading": "Is it {safe}?", "body": "<p>x</p>"})
    ]
    assert headings(page) == ["Is it {safe}?"]


def test_an_editor_sets_the_name_in_headings_in_the_page_editor(demo_content, client):
    assert client.login(username="marketing", password=staff_password("marketing"))
    index = ProcedureIndexPage.objects.get()
    data = procedure_form_data(
        "Platelet-rich plasma",
        "platelet-rich-plasma",
        [("description", {"section": "what", "custom_heading": "", "body": rich_text("<p>x</p>")})],
        heading_name="PRP injections",
        name_is_plural="on",
    )
    response = client.post(f"/admin/pages/add/procedures/procedurepage/{index.pk}/", data)
    assert response.status_code == 302, response.content[:2000]
    page = ProcedurePage.objects.get(slug="platelet-rich-plasma").get_latest_revision_as_object()
    assert (page.heading_name, page.name_is_plural) == ("PRP injections", True)
    assert headings(page) == ["What are PRP injections?"]


def test_the_sort_grade_menu_is_short_and_its_help_gives_each_meaning():
    grade = medical_blocks.RecommendationBlock().child_blocks["grade"]
    labels = {value: label for value, label in grade.field.choices if value}
    assert list(labels) == ["A", "B", "C"]
    for value, label in labels.items():
        # Whole sentences overflowed the editor's menu.
        assert label.startswith(f"{value}: ") and len(label) <= 40, label
        assert f"{value}: {block_text.SORT_GRADES[value]}" in grade.field.help_text


def test_a_patient_reads_the_whole_meaning_of_a_sort_grade():
    block = medical_blocks.EvidenceBlock()
    value = block.to_python(
        {
            "statement": "Limited.",
            "findings": [
                {
                    "conclusion": "Some benefit.",
                    "references": [],
                    "recommendations": [{"population": "knee osteoarthritis", "grade": "C"}],
                }
            ],
        }
    )
    text = " ".join(BeautifulSoup(block.render(value), "html.parser").get_text(" ").split())
    assert (
        "Strength of recommendation C (Recommendation based on consensus, usual practice, "
        "opinion, disease-oriented evidence or case series.)"
    ) in text


def packed_strings(packed):
    """Every string in the admin's packed block definitions (widgets come as HTML strings)."""
    if isinstance(packed, str):
        yield packed
    elif isinstance(packed, dict):
        for item in packed.values():
            yield from packed_strings(item)
    elif isinstance(packed, list):
        for item in packed:
            yield from packed_strings(item)


def test_each_item_of_a_list_has_an_accessible_name_in_the_editor(demo_content, client):
    """The admin shows list items without a label; each input is named by its aria-label."""
    assert client.login(username="marketing", password=staff_password("marketing"))
    index = ProcedureIndexPage.objects.get()
    response = client.get(f"/admin/pages/add/procedures/procedurepage/{index.pk}/")
    widget = BeautifulSoup(response.content, "html.parser").find(id="body")
    definitions = json.loads(widget["data-w-block-data-value"])
    names = {
        element.get("aria-label")
        for html in packed_strings(definitions)
        if "<input" in html
        for element in BeautifulSoup(html, "html.parser").find_all("input")
    }
    assert {
        "Absolute contraindication",
        "Relative contraindication",
        "Risk or complication",
        "Credit",
    } <= names


@pytest.mark.parametrize(
    "chooser, model",
    [
        (
            medical_blocks.EvidenceBlock()
            .child_blocks["findings"]
            .child_block.child_blocks["references"]
            .child_block,
            Reference,
        ),
        (care_blocks.CallToActionBlock().child_blocks["page"], ContactFormPage),
        (care_blocks.AlternativeBlock().child_blocks["page"], ProcedurePage),
    ],
)
def test_chosen_objects_come_back_in_the_order_chosen(demo_content, chooser, model):
    """Wagtail's chooser blocks read every choice in one query, in the order chosen; a deleted
    one is None."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    chosen = list(model.objects.order_by("-pk"))
    ids = [chosen[-1].pk, 999_999, *[item.pk for item in chosen], chosen[-1].pk]
    with CaptureQueriesContext(connection) as queries:
        values = chooser.bulk_to_python(ids)
    assert [value.pk if value else None for value in values] == [
        chosen[-1].pk,
        None,
        *[item.pk for item in chosen],
        chosen[-1].pk,
    ]
    assert len(queries.captured_queries) == 1
