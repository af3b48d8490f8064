"""Front desk in a browser: from its menu to the contact messages, reading and exporting
them, and no way to delete one."""

import csv
import io

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

MESSAGE = "Do you have parking near the clinic? I use a wheelchair."


@pytest.fixture
def contact_message(site):
    """A message a patient sent through the contact form."""
    from forms.models import ContactFormPage, ContactSubmission

    return ContactSubmission.objects.create(
        page=ContactFormPage.objects.get(),
        form_data={
            "name": "Alex Patient",
            "email": "alex@example.com",
            "phone": "",
            "message": MESSAGE,
            "no_medical_details": True,
        },
    )


def test_front_desk_reads_and_exports_contact_messages_and_cannot_delete_them(
    site, staff_browser, contact_message
):
    from forms.models import ContactSubmission

    page = staff_browser("frontdesk")
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Forms").click()

    # The messages of the contact form, with the patient's own words.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact us")
    row = page.get_by_role("row").filter(has_text="Alex Patient")
    expect(row).to_contain_text(MESSAGE)
    expect(row).to_contain_text("alex@example.com")

    # The export is a file with the message in it.
    page.get_by_role("button", name="Actions").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.DictReader(io.StringIO(exported.read())))
    assert [(row["Name"], row["E-mail address"], row["Message"]) for row in rows] == [
        ("Alex Patient", "alex@example.com", MESSAGE)
    ]

    # Nothing on the page deletes a message.
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    expect(page.get_by_role("checkbox")).to_have_count(0)

    # Nor does the delete view's address, typed by hand.
    listing = page.url
    delete_url = page.url.split("?")[0] + f"delete/?selected-submissions={contact_message.pk}"
    page.goto(delete_url)
    expect(
        page.get_by_text("Sorry, you do not have permission to access this area")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    assert ContactSubmission.objects.filter(pk=contact_message.pk).exists()

    # Nor a POST to it with the session's own CSRF token (what the confirm button would send).
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        delete_url, headers={"X-CSRFToken": token, "Referer": listing}, max_redirects=0
    )
    # Wagtail's answer to a refused admin view: back to the dashboard, with the message above.
    assert (response.status, response.headers["location"]) == (302, "/admin/")
    assert ContactSubmission.objects.filter(pk=contact_message.pk).exists()


def test_front_desk_opens_a_new_message_from_the_dashboard(site, staff_browser, contact_message):
    page = staff_browser("frontdesk")
    panel = page.get_by_role("region", name="Newest contact messages")
    row = panel.get_by_role("row").filter(has_text="Alex Patient")
    expect(row).to_contain_text(MESSAGE)
    row.get_by_role("link", name=MESSAGE).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Contact us")
    expect(page.get_by_role("row").filter(has_text="Alex Patient")).to_contain_text(
        "alex@example.com"
    )
