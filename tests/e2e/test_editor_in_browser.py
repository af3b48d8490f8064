"""The page editor as marketing staff use it in a browser: a new treatment opens whole, its
lists are named for screen readers, and autosave leaves no false message behind."""

import re

import pytest
from playwright.sync_api import expect

from .test_pages_in_browser import axe_violations

pytestmark = pytest.mark.browser

EDIT_URL = re.compile(r"/admin/pages/\d+/edit/$")


def open_add_treatment(staff_browser):
    page = staff_browser("marketing")
    page.get_by_role("link", name="Treatments").click()
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
    expect(page).to_have_url(EDIT_URL)  # autosave has saved the new items


def test_a_page_that_autosave_created_does_not_say_it_could_not_be_created(
    site, staff_browser, browser_guard
):
    page = open_add_treatment(staff_browser)
    # Autosave waits until the create form has been submitted (leaving the title sets it off,
    # and this test is about the form submitted first).
    held = {"autosave": True}

    def hold_autosave(route):
        is_autosave = "application/json" in (route.request.headers.get("accept") or "")
        if route.request.method == "POST" and is_autosave and held["autosave"]:
            route.abort()
        else:
            route.continue_()

    browser_guard.route(page, r"/admin/pages/add/procedures/procedurepage/\d+/$", hold_autosave)
    page.locator("#id_title").press_sequentially("Platelet-rich plasma injections")
    # Submitted before autosave ran: the create form refuses the empty sections...
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Submit to Clinical review").click()
    messages = page.locator(".messages")
    expect(messages).to_contain_text("The page could not be created due to validation errors.")
    # ...then Wagtail's autosave creates the page as a draft and turns the form into its edit
    # form: the message no longer holds and goes; the errors stay on their fields.
    held["autosave"] = False
    page.locator("#id_summary").press_sequentially("Injections of the patient's own platelets.")
    expect(page).to_have_url(EDIT_URL)
    expect(messages).not_to_contain_text("could not be created")
    expect(page.locator(".w-field--error").first).to_be_visible()
