"""Opening hours at their edges: a closure of two days, on the day before, each of its days
and the day after (the page and its JSON-LD); a closure starting exactly two months ahead
and one a day further; and three opening times on one day, overlapping (refused, the error
next to each later time) or touching (saved and shown as given)."""

import datetime
import json

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.cache import cache

from locations.models import ClinicLocation, OpeningHoursException, OpeningTime
from tests.test_opening_hours import (
    at,
    edit_url,
    field_error,
    home_page_at,
    hours_of,
    location_form,
)

PROLOTHERAPY = "/procedures/prolotherapy/"
TRAINING = "Closed on 1 and 2 December 2026 (Staff training)"
USUAL_WEEKDAYS = {
    "Monday": "09:00–17:00",
    "Tuesday": "09:00–17:00",
    "Wednesday": "09:00–17:00",
    "Thursday": "09:00–17:00",
    "Friday": "09:00–17:00",
    "Saturday": "Closed",
    "Sunday": "Closed",
}
USUAL_WEEK_SPEC = [
    {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": [
            f"https://schema.org/{day}"
            for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
        ],
        "opens": "09:00",
        "closes": "17:00",
    }
]
TRAINING_SPEC = {
    "@type": "OpeningHoursSpecification",
    "validFrom": "2026-12-01",
    "validThrough": "2026-12-02",
    "opens": "00:00",
    "closes": "00:00",
    "name": "Staff training",
}


@pytest.fixture
def two_day_closure(home_page):
    """The demo clinic (Monday to Friday 09:00 to 17:00), closed on Tuesday 1 and
    Wednesday 2 December 2026 and on no other day."""
    location = ClinicLocation.objects.get()
    location.opening_exceptions.all().delete()
    OpeningHoursException.objects.create(
        location=location,
        label="Staff training",
        first_day=datetime.date(2026, 12, 1),
        last_day=datetime.date(2026, 12, 2),
    )
    return location


def home_page_on(client, moment):
    """The home page rendered afresh at `moment` (not a copy kept on another day)."""
    cache.clear()
    return home_page_at(client, moment)


def closure_items(soup):
    """The listed changes to the hours, each with the days the browser reads from it."""
    return [
        (
            item.get_text(" ", strip=True),
            item["data-first-day"],
            item["data-last-day"],
            item["data-today-text"],
        )
        for item in soup.select("[data-opening-hours] [data-opening-changes] li")
    ]


TRAINING_ITEM = (TRAINING, "2026-12-01", "2026-12-02", "Closed today (Staff training)")


@pytest.mark.parametrize(
    "moment",
    [at(2026, 11, 30), at(2026, 12, 1, 9), at(2026, 12, 2, 9), at(2026, 12, 2, 23)],
    ids=["the day before", "the first day", "the second day", "late on the second day"],
)
def test_a_two_day_closure_is_listed_and_given_to_search_engines_until_its_last_day_ends(
    client, two_day_closure, moment
):
    soup, clinic = home_page_on(client, moment)
    week, _ = hours_of(soup)
    assert week == USUAL_WEEKDAYS  # the usual week; the browser marks today's row
    # The listed closure spans the day: the browser says "Closed today" on each of its days.
    assert closure_items(soup) == [TRAINING_ITEM]
    assert clinic["specialOpeningHoursSpecification"] == [TRAINING_SPEC]
    assert clinic["openingHoursSpecification"] == USUAL_WEEK_SPEC


@pytest.mark.parametrize(
    "moment",
    [at(2026, 12, 3, 0), at(2026, 12, 3, 9), at(2026, 12, 4)],
    ids=["just after midnight", "the morning after", "two days after"],
)
def test_the_day_after_a_two_day_closure_the_usual_hours_stand_alone(
    client, two_day_closure, moment
):
    soup, clinic = home_page_on(client, moment)
    week, changes = hours_of(soup)
    assert week == USUAL_WEEKDAYS
    assert week["Thursday"] == "09:00–17:00"
    assert changes == []
    assert soup.select("[data-opening-changes]") == []
    assert "specialOpeningHoursSpecification" not in clinic
    assert clinic["openingHoursSpecification"] == USUAL_WEEK_SPEC


def test_the_procedure_page_gives_the_closure_on_its_second_day_and_not_after(
    client, two_day_closure
):
    def procedure_page_at(moment):
        cache.clear()
        with time_machine.travel(moment, tick=False):
            response = client.get(PROLOTHERAPY)
        soup = BeautifulSoup(response.content, "html.parser")
        section = soup.select_one(".block--location_map")
        graph = json.loads(soup.find("script", type="application/ld+json").string)["@graph"]
        (clinic,) = [node for node in graph if node["@type"] == "MedicalClinic"]
        return closure_items(section), clinic.get("specialOpeningHoursSpecification")

    assert procedure_page_at(at(2026, 12, 2, 16)) == ([TRAINING_ITEM], [TRAINING_SPEC])
    assert procedure_page_at(at(2026, 12, 3, 9)) == ([], None)


def test_a_change_is_listed_from_two_months_ahead_and_not_a_day_earlier(client, home_page):
    """Listed when it starts within 60 days of today (today + 60 included); search engines
    get every change not yet over."""
    location = ClinicLocation.objects.get()
    location.opening_exceptions.all().delete()
    # 20 December 2026: 60 days on is 18 February 2027.
    for label, first in [
        ("In 60 days", datetime.date(2027, 2, 18)),
        ("In 61 days", datetime.date(2027, 2, 19)),
    ]:
        OpeningHoursException.objects.create(location=location, label=label, first_day=first)
    soup, clinic = home_page_on(client, at(2026, 12, 20))
    assert hours_of(soup)[1] == ["Closed on 18 February 2027 (In 60 days)"]
    assert [spec["name"] for spec in clinic["specialOpeningHoursSpecification"]] == [
        "In 60 days",
        "In 61 days",
    ]

    soup, _ = home_page_on(client, at(2026, 12, 21))
    assert hours_of(soup)[1] == [
        "Closed on 18 February 2027 (In 60 days)",
        "Closed on 19 February 2027 (In 61 days)",
    ]


# Three opening times on one day.


@pytest.fixture
def location_without_times(home_page):
    """The demo clinic with no opening times or changes yet, so that the editor's form holds
    only the rows a test posts."""
    location = ClinicLocation.objects.get()
    location.opening_times.all().delete()
    location.opening_exceptions.all().delete()
    return location


def week_form(location, monday):
    """The location's editor form: Monday's times as given, Tuesday to Friday 09:00 to
    17:00, no changes to the hours."""
    times = [(1, opens, closes) for opens, closes in monday]
    times += [(day, "09:00", "17:00") for day in range(2, 6)]
    return location_form(location, times=times)


OVERLAP = (
    "This overlaps another opening time on the same day ({}). Make one end before the other starts."
)


@pytest.mark.parametrize(
    ("monday", "errors"),
    [
        (
            [("09:00", "12:00"), ("11:00", "14:00"), ("13:00", "17:00")],
            ["", OVERLAP.format("09:00–12:00"), OVERLAP.format("11:00–14:00")],
        ),
        (
            # As typed, out of order: each error sits on the row that starts later.
            [("13:00", "17:00"), ("09:00", "12:00"), ("11:00", "14:00")],
            [OVERLAP.format("11:00–14:00"), "", OVERLAP.format("09:00–12:00")],
        ),
        (
            # Overlapping by one minute each.
            [("09:00", "12:00"), ("11:59", "14:00"), ("13:59", "17:00")],
            ["", OVERLAP.format("09:00–12:00"), OVERLAP.format("11:59–14:00")],
        ),
        (
            # One long time around two short ones: each overlaps the long one.
            [("09:00", "17:00"), ("10:00", "11:00"), ("12:00", "13:00")],
            ["", OVERLAP.format("09:00–17:00"), OVERLAP.format("09:00–17:00")],
        ),
    ],
    ids=["in order", "out of order", "by one minute", "inside a longer time"],
)
def test_three_overlapping_times_on_a_day_are_refused_each_error_on_its_opening_time(
    admin_client, location_without_times, monday, errors
):
    location = location_without_times
    response = admin_client.post(edit_url(location), week_form(location, monday))
    assert response.status_code == 200
    assert [field_error(response, f"opening_times-{row}-opens") for row in range(3)] == errors
    # Tuesday to Friday, another day each, have no error.
    assert [field_error(response, f"opening_times-{row}-opens") for row in range(3, 7)] == [""] * 4
    # The form shows again with what was typed; nothing was saved.
    soup = BeautifulSoup(response.content, "html.parser")
    typed = [
        (
            soup.find(attrs={"name": f"opening_times-{row}-opens"})["value"],
            soup.find(attrs={"name": f"opening_times-{row}-closes"})["value"],
        )
        for row in range(3)
    ]
    assert typed == monday
    assert not OpeningTime.objects.filter(location=location).exists()


def test_three_times_each_closing_as_the_next_opens_are_saved_and_shown_as_given(
    admin_client, client, location_without_times
):
    location = location_without_times
    monday = [("14:00", "17:00"), ("09:00", "12:00"), ("12:00", "14:00")]
    response = admin_client.post(edit_url(location), week_form(location, monday))
    assert response.status_code == 302
    saved = OpeningTime.objects.filter(location=location, weekday=1)
    assert [(t.opens, t.closes) for t in saved] == [
        (datetime.time(9), datetime.time(12)),
        (datetime.time(12), datetime.time(14)),
        (datetime.time(14), datetime.time(17)),
    ]

    soup, clinic = home_page_on(client, at(2026, 12, 20))
    week, _ = hours_of(soup)
    # Shown as three times, in order, not merged into 09:00–17:00.
    assert week["Monday"] == "09:00–12:00 and 12:00–14:00 and 14:00–17:00"
    assert week["Tuesday"] == "09:00–17:00"
    mondays = [
        (spec["opens"], spec["closes"])
        for spec in clinic["openingHoursSpecification"]
        if "https://schema.org/Monday" in spec["dayOfWeek"]
    ]
    assert mondays == [("09:00", "12:00"), ("12:00", "14:00"), ("14:00", "17:00")]
