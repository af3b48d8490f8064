"""The page editor as marketing staff use it in a browser: a new treatment opens whole and its
lists are named for screen readers."""

import pytest
from playwright.sync_api import expect

from tests.admin_forms import STANDARD_SECTION_TYPES

from .test_pages_in_browser import axe_violations

pytestmark = pytest.mark.browser


def field(section_type, name, occurrence=0):
    """The form name of a field of one of a new page's standard sections."""
    positions = [i for i, kind in enumerate(STANDARD_SECTION_TYPES) if kind == section_type]
    return f"body-{positions[occurrence]}-value-{name}"


def open_add_treatment(staff_browser):
    page = staff_browser("marketing")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Treatments").click()
    page.get_by_role("link", name="Add treatment").click()
    expect(page.locator("#id_title")).to_be_visible()
    expect(page.locator('[data-contentpath="body"] [data-contentpath="section"]')).to_have_count(2)
    return page


def test_a_new_treatment_opens_with_every_field_working(site, staff_browser):
    page = open_add_treatment(staff_browser)
    expect(page.get_by_text("This widget failed to render")).to_have_count(0)
    undefined = page.evaluate(
        """() => Array.from(document.querySelectorAll('input, textarea'))
            .filter(field => field.value === 'undefined').map(field => field.name)"""
    )
    assert undefined == []
    zoom = field("location_map", "zoom")
    expect(page.locator(f'input[name="{zoom}"]')).to_have_value("16")
    heading = field("call_to_action", "heading")
    expect(page.locator(f'input[name="{heading}"]')).to_have_value("Contact us today")
    label = field("call_to_action", "button_label")
    expect(page.locator(f'input[name="{label}"]')).to_have_value("Contact us")
    # The rich text editors (both descriptions' and aftercare's "what to expect") are ready
    # to type into (after a title, without which autosave refuses the page and the browser
    # logs the refusal).
    page.locator("#id_title").press_sequentially("Prolotherapy for the knee")
    editors = page.locator('[data-contentpath="body"] [role="textbox"][contenteditable="true"]')
    expect(editors).to_have_count(3)
    editors.first.click()
    page.keyboard.type("Small injections of a solution.")
    expect(editors.first).to_contain_text("Small injections of a solution.")


def test_list_items_have_accessible_names(site, staff_browser):
    page = open_add_treatment(staff_browser)
    # A title first, as above: adding an item sets autosave off.
    page.locator("#id_title").press_sequentially("PRP injections")
    # One item in each list of lines: what to avoid after it, contraindications (absolute,
    # relative), risks, the three levels of when to get help, credits.
    lists = {
        field("aftercare", "avoid"): "Something to avoid",
        field("contraindications", "absolute"): "Absolute contraindication",
        field("contraindications", "relative"): "Relative contraindication",
        field("risks", "items"): "Risk or complication",
        field("urgent_help", "non_urgent"): "Non-urgent: contact the clinic if",
        field("urgent_help", "urgent"): "Urgent: call the clinic now if",
        field("urgent_help", "emergency"): "Emergency: call the emergency number if",
        field("sources", "extra_credits"): "Credit",
    }
    for count in lists:
        list_block = page.locator(f'div:has(> input[name="{count}-count"])')
        list_block.locator("button[data-streamfield-list-add]").first.click()
    for name in lists.values():
        expect(page.get_by_role("textbox", name=name, exact=True)).to_have_count(1)
    unlabelled = [
        node["target"]
        for rule in axe_violations(page)
        if rule["id"] == "label"
        for node in rule["nodes"]
    ]
    assert unlabelled == []


def test_items_of_the_patient_path_sections_open_whole(site, staff_browser):
    """A preparation step, an alternative (its page chooser) and a question (its rich text
    answer) are added with the list's button and open ready to fill in."""
    page = open_add_treatment(staff_browser)
    page.locator("#id_title").press_sequentially("PRP injections")
    lists = [field("preparation", "steps"), field("alternatives", "items")]
    lists.append(field("questions", "items"))
    for count in lists:
        list_block = page.locator(f'div:has(> input[name="{count}-count"])')
        list_block.locator("button[data-streamfield-list-add]").first.click()
    expect(page.get_by_text("This widget failed to render")).to_have_count(0)
    steps, alternatives, questions = lists
    expect(page.locator(f'input[name="{steps}-0-value-timing"]')).to_be_visible()
    expect(page.locator(f'input[name="{alternatives}-0-value-page"]')).to_have_count(1)
    expect(page.locator(f'input[name="{alternatives}-0-value-name"]')).to_be_visible()
    page.locator(f'input[name="{questions}-0-value-question"]').fill("Will it hurt?")
    # The question's answer is the last rich text editor, after the three the page opens with.
    editors = page.locator('[data-contentpath="body"] [role="textbox"][contenteditable="true"]')
    expect(editors).to_have_count(4)
    answer = editors.last
    answer.click()
    page.keyboard.type("You may feel some pressure.")
    expect(answer).to_contain_text("You may feel some pressure.")
