"""The page editor as marketing staff use it in a browser: a new treatment opens whole and its
lists are named for screen readers."""

import pytest
from playwright.sync_api import expect

from .test_pages_in_browser import axe_violations

pytestmark = pytest.mark.browser


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
    expect(page.locator('input[name="body-7-value-zoom"]')).to_have_value("16")
    expect(page.locator('input[name="body-9-value-heading"]')).to_have_value("Contact us today")
    expect(page.locator('input[name="body-9-value-button_label"]')).to_have_value("Contact us")
    # Both descriptions' rich text editors are ready to type into (after a title, without
    # which autosave refuses the page and the browser logs the refusal).
    page.locator("#id_title").press_sequentially("Prolotherapy for the knee")
    editors = page.locator('[data-contentpath="body"] [role="textbox"][contenteditable="true"]')
    expect(editors).to_have_count(2)
    editors.first.click()
    page.keyboard.type("Small injections of a solution.")
    expect(editors.first).to_contain_text("Small injections of a solution.")


def test_list_items_have_accessible_names(site, staff_browser):
    page = open_add_treatment(staff_browser)
    # A title first, as above: adding an item sets autosave off.
    page.locator("#id_title").press_sequentially("PRP injections")
    # One item in each list: contraindications (absolute, relative), risks, credits.
    for count in ["4-value-absolute", "4-value-relative", "6-value-items", "8-value-extra_credits"]:
        list_block = page.locator(f'div:has(> input[name="body-{count}-count"])')
        list_block.locator("button[data-streamfield-list-add]").first.click()
    for name in [
        "Absolute contraindication",
        "Relative contraindication",
        "Risk or complication",
        "Credit",
    ]:
        expect(page.get_by_role("textbox", name=name, exact=True)).to_have_count(1)
    unlabelled = [
        node["target"]
        for rule in axe_violations(page)
        if rule["id"] == "label"
        for node in rule["nodes"]
    ]
    assert unlabelled == []
