"""An editor watches a treatment's reading level in the editor's preview as they type."""

import pytest
from playwright.sync_api import expect
from wagtail.rich_text import RichText

pytestmark = pytest.mark.browser

LONG_WORDS = (
    "Considerable intraarticular inflammation necessitates comprehensive multidisciplinary "
    "evaluation. Unsatisfactory physiotherapeutic rehabilitation complicates recuperation."
)
SHORT_WORDS = "Take a seat and wait. We will call you in. It will not take long."


@pytest.fixture
def plain_page(site):
    """A live treatment in plain words, with one section: how it is done."""
    from procedures.models import ProcedureIndexPage, ProcedurePage

    page = ProcedureIndexPage.objects.get().add_child(
        instance=ProcedurePage(
            title="Knee injections",
            slug="knee-injections",
            summary="An injection into the knee.",
            body=[
                (
                    "description",
                    {
                        "section": "how",
                        "custom_heading": "",
                        "body": RichText("<p>We use a thin needle.</p>"),
                    },
                )
            ],
        )
    )
    page.save_revision().publish()
    return page


@pytest.mark.skip(
    reason="flaky: the preview sometimes never shows the typed text's warning within 20 s "
    "(seen in 2 of 4 CI runs); to be fixed before it runs again"
)
def test_the_reading_level_follows_what_the_editor_types(site, plain_page, staff_browser):
    page = staff_browser("editor")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Treatments").click()
    page.get_by_role("link", name="Knee injections").first.click()
    expect(page.locator("#id_title")).to_have_value("Knee injections")

    expect(page.get_by_text("Preview → Readability (SMOG) shows how easy")).to_be_visible()
    page.get_by_role("button", name="Toggle preview").click()
    preview = page.frame_locator("#w-preview-iframe")
    # The preview panel has shown the page (its script is ready) before the mode is changed:
    # a change made earlier would not be heard.
    expect(preview.get_by_role("heading", level=1)).to_have_text("Knee injections")
    page.get_by_label("Preview mode").select_option(label="Readability (SMOG)")
    whole_page = preview.locator("[data-readability-page]")
    expect(preview.get_by_text("SMOG grade 10 or below")).to_be_visible()
    expect(whole_page).to_contain_text("Within the target of 10.")
    how = preview.locator("[data-readability-section]", has_text="How knee injections is done")
    expect(how).to_be_visible()
    expect(how).not_to_contain_text("above target")

    editor = page.locator('[data-contentpath="body"] [role="textbox"][contenteditable="true"]')
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(LONG_WORDS)

    expect(whole_page.locator("[data-readability-warning]")).to_contain_text(
        "Above the target of 10."
    )
    expect(how).to_contain_text("above target")
    assert float(whole_page.locator("[data-smog]").inner_text()) > 10

    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(SHORT_WORDS)

    expect(whole_page).to_contain_text("Within the target of 10.")
    expect(whole_page.locator("[data-readability-warning]")).to_have_count(0)
    expect(how).not_to_contain_text("above target")
    assert float(whole_page.locator("[data-smog]").inner_text()) <= 10
