"""A practitioner's journey, in a browser: an editor writes a new clinician's profile and adds
them to a treatment's "Who does it" section; a clinical reviewer with a profile of their own
approves both; patients then read who gives the treatment and who reviewed it, each linked to
their profile."""

import re

import pytest
from django.utils.dateformat import format as format_date
from playwright.sync_api import expect

from tests.e2e.test_treatment_journeys import (
    EXAMPLE_CLINICIAN,
    add_list_item,
    choose_practitioner,
    read_as_a_patient,
    review_action,
    review_row,
    section,
    submit_to_clinical_review,
    type_rich_text,
    watch_autosave,
)

pytestmark = pytest.mark.browser

NEW_CLINICIAN = "Dr Sam Example"
QUESTION = "Can I drive home afterwards?"
ANSWER = "Ask the clinic before your appointment."


def write_profile(page, site):
    """The editor adds the new clinician's profile under "Our clinicians"."""
    from practitioners.models import PractitionerIndexPage

    clinicians = PractitionerIndexPage.objects.get()
    page.goto(f"{site}/admin/pages/{clinicians.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Our clinicians")
    page.get_by_role("link", name=re.compile("Add child page")).first.click()
    page.get_by_role("textbox", name="Title*", exact=True).fill(NEW_CLINICIAN)
    page.get_by_role("textbox", name="Role or job title*").fill("sports medicine consultant")
    page.get_by_role("textbox", name="Qualifications").fill("MBChB\nMSc Sports Medicine")
    page.get_by_label("Professional register").select_option("GMC")
    page.get_by_role("textbox", name="Registration number").fill("1234567")
    type_rich_text(page.locator("[data-contentpath='biography']"), "Sam sees sports injuries.")
    page.get_by_label("Prolotherapy").check()
    submit_to_clinical_review(page)


def add_a_question(page):
    """The editor adds a "Questions patients ask" section at the end of the body, with one
    question and its answer."""
    page.get_by_role("button", name="Insert a block").last.click()
    page.get_by_role("option", name="Questions patients ask").click()
    questions = add_list_item(section(page, "Questions patients ask"), "items")
    questions.get_by_label("Question").last.fill(QUESTION)
    type_rich_text(questions, ANSWER)


def change_the_treatment(page):
    """The editor's changes to prolotherapy's sections (the new clinician in "Who does it", a
    question patients ask), submitted for the treatment's review."""
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Treatments").click()
    page.get_by_role("link", name="Prolotherapy", exact=True).click()
    # The editor watches for changes once it has read the form: a choice made before that
    # would count as the page's starting point, and never be autosaved.
    page.wait_for_function("() => window.autosave.startingPoint !== null")
    choose_practitioner(page, NEW_CLINICIAN)
    add_a_question(page)
    submit_to_clinical_review(page)


def test_an_editor_adds_a_clinician_and_a_reviewer_approves_them(site, staff_browser, new_context):
    from django.utils import timezone

    from practitioners.models import PractitionerPage
    from procedures.models import ProcedurePage

    editor = staff_browser("editor")
    watch_autosave(editor)
    write_profile(editor, site)
    change_the_treatment(editor)

    profile = PractitionerPage.objects.get(title=NEW_CLINICIAN)
    assert not profile.live
    assert profile.get_latest_revision_as_object().registration_number == "1234567"
    [who] = (
        ProcedurePage.objects.get(slug="prolotherapy")
        .get_latest_revision_as_object()
        .blocks_of_type("who_does_it")
    )
    assert [p.title for p in who["practitioners"]] == [EXAMPLE_CLINICIAN, NEW_CLINICIAN]

    # Patients read the reviewed page meanwhile.
    reader = read_as_a_patient(site, new_context, "/procedures/prolotherapy/")
    expect(reader.get_by_role("main")).not_to_contain_text(NEW_CLINICIAN)

    # The clinical reviewer, whose account is linked to the example clinician's profile,
    # approves the profile and the treatment.
    reviewer = staff_browser("reviewer")
    for title in (NEW_CLINICIAN, "Prolotherapy"):
        review_action(reviewer, title, "Approve").click()
        expect(review_row(reviewer, title)).to_have_count(0)

    reader.reload()
    who_gives_it = reader.locator("section").filter(
        has=reader.get_by_role("heading", name="Who gives prolotherapy")
    )
    expect(who_gives_it.get_by_role("link", name=NEW_CLINICIAN)).to_have_attribute(
        "href", "/clinicians/dr-sam-example/"
    )
    today = format_date(timezone.localdate(), "j F Y")
    review = reader.locator(".review-info")
    expect(review).to_contain_text(f"Reviewed by {EXAMPLE_CLINICIAN}, pain consultant, on {today}.")
    questions = reader.locator("section").filter(
        has=reader.get_by_role("heading", name=re.compile("Questions"))
    )
    expect(questions).to_contain_text(QUESTION)
    expect(questions).to_contain_text(ANSWER)
    review.get_by_role("link", name=EXAMPLE_CLINICIAN).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(EXAMPLE_CLINICIAN)

    # The new clinician's own page, with their registration.
    reader.goto(f"{site}/clinicians/dr-sam-example/")
    expect(reader.get_by_role("heading", level=1)).to_have_text(NEW_CLINICIAN)
    expect(reader.get_by_role("main")).to_contain_text("General Medical Council, number 1234567")
    expect(reader.get_by_role("main").get_by_role("link", name="Prolotherapy")).to_be_visible()
