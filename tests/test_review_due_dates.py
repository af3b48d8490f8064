"""Review due dates on either side of each boundary: a treatment due yesterday is overdue, one
due today or tomorrow is due soon (not yet overdue), one due in exactly 30 days is still due
soon and one due in 31 days is not due at all. The querysets, the status the admin's
Treatments listing, review report and dashboard show, and the weekly reminder mail all agree,
on the clinic's date (Europe/London), not UTC's."""

import datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.utils.formats import date_format

from procedures.models import ProcedurePage
from tests.smtp import SMTPServer, use_smtp_server
from tests.test_review_reminders import mails, run, text_of, treatment
from tests.test_staff_roles import REPORT_URL, TREATMENTS_URL, log_in, overdue_panel

# A Friday morning in London (on GMT): today is 27 November 2026.
NOW = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 27)

# Title: days from today to the next review.
DUE_IN = {
    "Due yesterday treatment": -1,
    "Due today treatment": 0,
    "Due tomorrow treatment": 1,
    "Due in 30 days treatment": 30,
    "Due in 31 days treatment": 31,
}
OVERDUE = {"Due yesterday treatment"}
DUE_SOON = {"Due today treatment", "Due tomorrow treatment", "Due in 30 days treatment"}
NOT_DUE = {"Due in 31 days treatment"}


def add_treatments(today, owner=None):
    """A live treatment for each entry of DUE_IN, reviewed a year before it falls due."""
    pages = {}
    for title, days in DUE_IN.items():
        due = today + datetime.timedelta(days=days)
        pages[title] = treatment(
            title,
            owner=owner,
            last_reviewed=due.replace(year=due.year - 1),
            next_review_due=due,
        )
    return pages


@pytest.fixture
def boundary_pages(demo_content):
    return add_treatments(TODAY)


def titles(queryset):
    return {page.title for page in queryset if page.title in DUE_IN}


def listing_cells(response, column):
    """{title: text of the row's cell in `column`} of the admin listing table, for the rows
    of the pages in DUE_IN."""
    table = BeautifulSoup(response.content, "html.parser").find("table", class_="listing")
    headings = [" ".join(th.get_text().split()) for th in table.find("thead").find_all("th")]
    position = headings.index(column)
    cells = {}
    for row in table.find("tbody").find_all("tr"):
        texts = [" ".join(td.get_text().split()) for td in row.find_all("td")]
        for title in DUE_IN:
            if texts[0].startswith(title):
                cells[title] = texts[position]
    return cells


def cell_text(title, label=""):
    """The "Next review due" cell of the page due DUE_IN[title] days from TODAY."""
    due = date_format(TODAY + datetime.timedelta(days=DUE_IN[title]))
    return f"{due} {label}" if label else due


def test_due_yesterday_is_overdue_due_today_to_30_days_is_due_soon_31_days_is_neither(
    boundary_pages,
):
    with time_machine.travel(NOW, tick=False):
        assert titles(ProcedurePage.objects.review_overdue()) == OVERDUE
        assert titles(ProcedurePage.objects.review_due_soon()) == DUE_SOON
        assert titles(ProcedurePage.objects.review_due()) == OVERDUE | DUE_SOON
        statuses = {
            title: ProcedurePage.objects.get(pk=page.pk).review_status_label
            for title, page in boundary_pages.items()
        }
    assert statuses == {
        "Due yesterday treatment": "Overdue",
        "Due today treatment": "Due soon",
        "Due tomorrow treatment": "Due soon",
        "Due in 30 days treatment": "Due soon",
        "Due in 31 days treatment": "Reviewed",
    }


def test_the_treatments_listing_shows_each_boundary_pages_status(client, boundary_pages):
    with time_machine.travel(NOW, tick=False):
        log_in(client, "editor")
        cells = listing_cells(client.get(TREATMENTS_URL), "Next review due")
        overdue = listing_cells(client.get(TREATMENTS_URL + "?review=overdue"), "Title")
        due_soon = listing_cells(client.get(TREATMENTS_URL + "?review=due_soon"), "Title")
    assert cells == {
        "Due yesterday treatment": cell_text("Due yesterday treatment", "Overdue"),
        "Due today treatment": cell_text("Due today treatment", "Due soon"),
        "Due tomorrow treatment": cell_text("Due tomorrow treatment", "Due soon"),
        "Due in 30 days treatment": cell_text("Due in 30 days treatment", "Due soon"),
        "Due in 31 days treatment": cell_text("Due in 31 days treatment"),
    }
    assert set(overdue) == OVERDUE
    assert set(due_soon) == DUE_SOON


def test_the_review_report_lists_the_pages_due_up_to_30_days_ahead(client, boundary_pages):
    with time_machine.travel(NOW, tick=False):
        log_in(client, "reviewer")
        cells = listing_cells(client.get(REPORT_URL), "Next review due")
    assert cells == {
        "Due yesterday treatment": cell_text("Due yesterday treatment", "Overdue"),
        "Due today treatment": cell_text("Due today treatment", "Due soon"),
        "Due tomorrow treatment": cell_text("Due tomorrow treatment", "Due soon"),
        "Due in 30 days treatment": cell_text("Due in 30 days treatment", "Due soon"),
    }


def test_the_dashboard_panel_lists_only_the_page_due_yesterday(client, boundary_pages):
    with time_machine.travel(NOW, tick=False):
        log_in(client, "reviewer")
        panel = overdue_panel(client.get("/admin/"))
    rows = [" ".join(row.get_text().split()) for row in panel.find("tbody").find_all("tr")]
    assert len(rows) == 1
    assert rows[0].startswith(f"Due yesterday treatment {cell_text('Due yesterday treatment')}")


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    use_smtp_server(settings, server)
    settings.WAGTAILADMIN_BASE_URL = "https://admin.clinic.example"
    yield server
    server.stop()


def test_the_reminder_lists_yesterday_as_overdue_today_to_30_days_as_due_soon_and_not_31(
    smtp_server, boundary_pages
):
    with time_machine.travel(NOW, tick=False):
        run()
    text = text_of(mails(smtp_server)["reviewer@clinic.example"])
    overdue = text.index("Overdue:\n")
    due_soon = text.index("Due within 30 days:\n")
    end = text.index("Open a page to review it")
    assert "Not reviewed yet:" not in text
    assert [line for line in text[overdue:due_soon].splitlines() if line.startswith("- ")] == [
        "- Due yesterday treatment: the review was due on 26 November 2026",
    ]
    assert [line for line in text[due_soon:end].splitlines() if line.startswith("- ")] == [
        "- Due today treatment: the review is due on 27 November 2026",
        "- Due tomorrow treatment: the review is due on 28 November 2026",
        "- Due in 30 days treatment: the review is due on 27 December 2026",
    ]
    assert "Due in 31 days treatment" not in text


def test_a_page_due_in_31_days_is_named_the_next_day_when_it_is_due_in_30(
    smtp_server, boundary_pages
):
    with time_machine.travel(NOW, tick=False):
        run()
    assert len(smtp_server.messages) == 1  # to the one clinical reviewer; the pages have no owner
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        run()
    [_, next_day] = smtp_server.messages
    # The other pages were named the day before: only the newly due one is sent.
    assert next_day["Subject"] == "1 treatment due for medical review"
    text = text_of(next_day)
    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        "- Due in 31 days treatment: the review is due on 28 December 2026",
    ]
    assert "Due within 30 days:\n" in text


# Today is the clinic's: at 23:30 UTC on 30 June, London (on summer time) is already in
# 1 July.
LATE_EVENING_UTC = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
CLINIC_TODAY = datetime.date(2026, 7, 1)


def test_yesterday_and_30_days_ahead_are_counted_from_the_clinics_date_not_utcs(
    client, demo_content, settings
):
    settings.TIME_ZONE = "Europe/London"
    pages = add_treatments(CLINIC_TODAY)
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        overdue = titles(ProcedurePage.objects.review_overdue())
        due_soon = titles(ProcedurePage.objects.review_due_soon())
        statuses = {
            title: ProcedurePage.objects.get(pk=page.pk).review_status_label
            for title, page in pages.items()
        }
        log_in(client, "editor")
        cells = listing_cells(client.get(TREATMENTS_URL), "Next review due")
    # Due on 30 June: overdue in London's 1 July, though UTC's date is still 30 June.
    assert overdue == OVERDUE
    # Due on 31 July, 30 days after London's 1 July: due soon; 1 August, 31 days: not.
    assert due_soon == DUE_SOON
    assert statuses["Due yesterday treatment"] == "Overdue"
    assert statuses["Due in 30 days treatment"] == "Due soon"
    assert statuses["Due in 31 days treatment"] == "Reviewed"
    assert cells["Due yesterday treatment"] == f"{date_format(datetime.date(2026, 6, 30))} Overdue"
    assert cells["Due in 31 days treatment"] == date_format(datetime.date(2026, 8, 1))
