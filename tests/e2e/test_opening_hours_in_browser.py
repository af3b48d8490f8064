"""Opening hours in a patient's browser: the script marks today's row in the clinic's time
zone and drops the changes to the hours already over, from a page rendered days before (as
a cache serves it). Without the script nothing is marked and the page still reads true.
And a clinical reviewer adds an opening time in the location's editor."""

import datetime
import re

import pytest
import time_machine
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

RENDERED_ZONE = datetime.UTC  # Europe/London is on GMT in December
# The server renders the page on 20 December 2026; the browser reads it later.
RENDERED = datetime.datetime(2026, 12, 20, 12, tzinfo=RENDERED_ZONE)


@pytest.fixture
def christmas(site):
    """The demo clinic (Monday to Friday 09:00 to 17:00) with special hours on 24 December
    2026 and closed on 25 and 26 December 2026 (Christmas)."""
    from locations.models import ClinicLocation, OpeningHoursException

    location = ClinicLocation.objects.get()
    location.opening_exceptions.all().delete()
    OpeningHoursException.objects.create(
        location=location,
        first_day=datetime.date(2026, 12, 24),
        opens=datetime.time(10),
        closes=datetime.time(14),
    )
    OpeningHoursException.objects.create(
        location=location,
        label="Christmas",
        first_day=datetime.date(2026, 12, 25),
        last_day=datetime.date(2026, 12, 26),
    )
    return site


def open_home_page(page, site, clock):
    """The home page, rendered on RENDERED, read in a browser whose clock says `clock`."""
    page.clock.set_fixed_time(clock)
    with time_machine.travel(RENDERED, tick=True):
        page.goto(site + "/")
        page.wait_for_load_state("load")
    return page.locator("[data-opening-hours]")


def changes_shown(hours):
    return [
        text.strip()
        for text in hours.locator("[data-opening-changes] li:visible").all_inner_texts()
    ]


def test_on_christmas_day_friday_is_today_closed_and_the_closure_comes_first(page, christmas):
    hours = open_home_page(page, christmas, "2026-12-25T09:30:00Z")
    today = hours.locator("tr[aria-current=date]")
    expect(today).to_have_count(1)
    expect(today.locator("th")).to_have_text("Friday (today)")
    expect(today.locator(".opening-hours__today-note")).to_have_text("Closed today (Christmas)")
    expect(today.locator(".opening-hours__usual")).to_have_text("Usually: 09:00–17:00")
    # 24 December is over; the closure of 25 and 26 December is the next change.
    assert changes_shown(hours) == ["Closed on 25 and 26 December 2026 (Christmas)"]
    # The usual week is still there for the other days.
    expect(hours.locator("tr", has_text="Monday").locator("td")).to_have_text("09:00–17:00")


def test_on_an_ordinary_day_its_weekday_is_today_and_every_change_to_come_is_listed(
    page, christmas
):
    hours = open_home_page(page, christmas, "2026-12-22T15:00:00Z")  # a Tuesday
    today = hours.locator("tr[aria-current=date]")
    expect(today).to_have_count(1)
    expect(today.locator("th")).to_have_text("Tuesday (today)")
    expect(today.locator("td")).to_have_text("09:00–17:00")
    expect(today).to_have_class(re.compile(r"\bopening-hours__today\b"))
    assert changes_shown(hours) == [
        "Open 10:00–14:00 on 24 December 2026",
        "Closed on 25 and 26 December 2026 (Christmas)",
    ]


def test_today_is_the_clinics_day_not_the_browsers(new_context, christmas):
    """Late on 24 December in California it is already 25 December at the clinic."""
    page = new_context(timezone_id="America/Los_Angeles").new_page()
    hours = open_home_page(page, christmas, "2026-12-24T23:30:00-08:00")
    expect(hours.locator("tr[aria-current=date] th")).to_have_text("Friday (today)")
    assert changes_shown(hours) == ["Closed on 25 and 26 December 2026 (Christmas)"]


def test_once_every_change_is_over_the_list_goes(page, christmas):
    hours = open_home_page(page, christmas, "2026-12-28T10:00:00Z")  # a Monday
    expect(hours.locator("tr[aria-current=date] th")).to_have_text("Monday (today)")
    expect(hours.locator("[data-opening-changes]")).to_be_hidden()


def test_without_javascript_nothing_is_marked_and_the_dated_changes_are_listed(
    new_context, christmas
):
    page = new_context(java_script_enabled=False).new_page()
    hours = open_home_page(page, christmas, "2026-12-25T09:30:00Z")
    expect(hours.locator("[aria-current]")).to_have_count(0)
    expect(hours).not_to_contain_text("today")
    assert changes_shown(hours) == [
        "Open 10:00–14:00 on 24 December 2026",
        "Closed on 25 and 26 December 2026 (Christmas)",
    ]


def test_the_procedure_page_marks_today_too(page, christmas):
    page.clock.set_fixed_time("2026-12-26T11:00:00Z")  # a Saturday
    with time_machine.travel(RENDERED, tick=True):
        page.goto(christmas + "/procedures/prolotherapy/")
        page.wait_for_load_state("load")
    today = page.locator(".location-map tr[aria-current=date]")
    expect(today.locator("th")).to_have_text("Saturday (today)")
    expect(today.locator(".opening-hours__today-note")).to_have_text("Closed today (Christmas)")
    expect(today.locator(".opening-hours__usual")).to_have_text("Usually: Closed")


def test_a_reviewer_adds_saturday_morning_to_the_clinics_week(staff_browser, christmas):
    page = staff_browser("reviewer")
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("button", name="Clinic content").click()
    menu.get_by_role("link", name="Clinic locations").click()
    page.get_by_role("main").get_by_role("link", name="Example Clinic").first.click()
    page.get_by_role("button", name="Add opening time").click()
    row = page.locator("[id^='inline_child_opening_times-']:visible").last
    row.get_by_label("Day").select_option(label="Saturday")
    row.get_by_label("Opens").fill("09:00")
    row.get_by_label("Closes").fill("08:00")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save").click()
    # Closing before opening: the error sits on the field, and nothing typed is lost.
    expect(
        row.get_by_text("The closing time must be after the opening time (09:00)")
    ).to_be_visible()
    row = page.locator("[id^='inline_child_opening_times-']:visible").last
    expect(row.get_by_label("Opens")).to_have_value("09:00")
    row.get_by_label("Closes").fill("12:30")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(re.compile("Example Clinic.* updated"))).to_be_visible()

    page.goto(christmas + "/")
    expect(page.locator("[data-opening-hours] tr", has_text="Saturday").locator("td")).to_have_text(
        "09:00–12:30"
    )
