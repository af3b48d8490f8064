"""A patient on a small phone reads "When to get help": three levels told apart by words and
icons as well as colour, each a region that a screen reader lists by its heading, with no
WCAG 2.2 AA violation that axe can find."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_patient_path_sections import add_page_with_every_section

from .conftest import DESKTOP
from .test_pages_in_browser import assert_no_axe_violations, block_tiles

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
LEVELS = [
    ("Non-urgent advice:", "Contact the clinic if:"),
    ("Urgent advice:", "Call the clinic now or NHS 111 if:"),
    ("Immediate action required:", "Call 999 now if:"),
]


@pytest.fixture
def full_page_url(site):
    return site + add_page_with_every_section().url


@pytest.mark.parametrize("viewport", [NARROW, DESKTOP], ids=["320px", "desktop"])
def test_when_to_get_help_is_announced_and_accessible(page, full_page_url, viewport, browser_guard):
    page.set_viewport_size(viewport)
    block_tiles(page, browser_guard)
    page.goto(full_page_url)

    help_section = page.get_by_role("region", name="When to get help after sample injections")
    expect(help_section).to_be_visible()
    backgrounds = []
    for level, action in LEVELS:
        name = f"{level} {action}"
        card = help_section.get_by_role("region", name=name)
        expect(card).to_be_visible()
        heading = card.get_by_role("heading", level=3, name=name)
        expect(heading).to_be_visible()
        # The level is written out, not only coloured: its words are visible text.
        expect(heading.get_by_text(level)).to_be_visible()
        backgrounds.append(heading.evaluate("h => getComputedStyle(h).backgroundColor"))
    # The emergency card stands apart from the urgent one by more than its heading.
    assert len(set(backgrounds)) == 2
    emergency = help_section.get_by_role("region", name=re.compile("^Immediate action"))
    urgent = help_section.get_by_role("region", name=re.compile("^Urgent advice"))
    assert emergency.evaluate("e => getComputedStyle(e).backgroundColor") != urgent.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    expect(emergency.get_by_role("link", name="Call 999")).to_have_attribute("href", "tel:999")

    # Nothing is wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    assert_no_axe_violations(page)
