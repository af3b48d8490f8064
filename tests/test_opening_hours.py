"""Opening hours as data: each clinic location's weekly opening times and its holidays or
special hours, edited in the location's snippet, shown on the home page and on procedure
pages, and given to search engines as schema.org JSON-LD.

Pages are cached, so the server never says which day is today: what it renders names its
dates, and the browser marks today (tests/e2e/test_opening_hours_in_browser.py).
"""

import datetime
import json

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from locations.models import ClinicLocation, OpeningHoursException, OpeningTime

LONDON = datetime.timezone(datetime.timedelta(0))  # 20 December and later: GMT
PROLOTHERAPY = "/procedures/prolotherapy/"


def at(year, month, day, hour=12):
    """A moment in the clinic's time zone (Europe/London, on GMT in these winter days)."""
    return datetime.datetime(year, month, day, hour, tzinfo=LONDON)


def edit_url(location):
    return reverse(ClinicLocation.snippet_viewset.get_url_name("edit"), args=[location.pk])


@pytest.fixture
def location(db):
    return ClinicLocation.objects.create(
        name="Riverside Clinic",
        street_address="2 Example Road",
        locality="Exampletown",
        latitude="51.500000",
        longitude="-0.100000",
    )


def location_form(location, times=(), exceptions=()):
    """The snippet editor's form for `location` with these opening times and exceptions."""
    return nested_form_data(
        {
            "name": location.name,
            "street_address": location.street_address,
            "locality": location.locality,
            "postal_code": location.postal_code,
            "country": location.country,
            "phone": location.phone,
            "latitude": str(location.latitude),
            "longitude": str(location.longitude),
            "opening_times": inline_formset(
                [
                    {"weekday": str(day), "opens": opens, "closes": closes}
                    for day, opens, closes in times
                ]
            ),
            "opening_exceptions": inline_formset(
                [
                    {
                        "label": label,
                        "first_day": first,
                        "last_day": last,
                        "opens": opens,
                        "closes": closes,
                    }
                    for label, first, last, opens, closes in exceptions
                ]
            ),
        }
    )


def field_error(response, name):
    """The error the editor shows next to the field named `name` ("" when none)."""
    soup = BeautifulSoup(response.content, "html.parser")
    field = soup.find(attrs={"name": name})
    assert field is not None, f"no field {name}"
    wrapper = field.find_parent(attrs={"data-field-wrapper": True})
    errors = wrapper.select_one("[data-field-errors], .w-field__errors, .error-message")
    return errors.get_text(" ", strip=True) if errors else ""


# Editing: the rows a person types, each error next to its field, nothing saved on an error.


def test_an_editor_saves_a_week_with_a_lunch_break_and_a_holiday(admin_client, location):
    response = admin_client.post(
        edit_url(location),
        location_form(
            location,
            times=[(1, "09:00", "12:30"), (1, "13:30", "17:00"), (2, "09:00", "17:00")],
            exceptions=[("Christmas", "2026-12-25", "2026-12-26", "", "")],
        ),
    )
    assert response.status_code == 302
    location = ClinicLocation.objects.get(pk=location.pk)
    assert location.week[0] == (1, "Monday", ["09:00–12:30", "13:30–17:00"])
    assert location.week[1] == (2, "Tuesday", ["09:00–17:00"])
    assert location.week[6] == (7, "Sunday", [])
    (christmas,) = location.opening_exceptions.all()
    assert (christmas.label, christmas.first_day, christmas.last_day, christmas.closed) == (
        "Christmas",
        datetime.date(2026, 12, 25),
        datetime.date(2026, 12, 26),
        True,
    )


def test_closing_before_opening_is_an_error_next_to_the_closing_time(admin_client, location):
    response = admin_client.post(
        edit_url(location), location_form(location, times=[(1, "17:00", "09:00")])
    )
    assert response.status_code == 200
    assert field_error(response, "opening_times-0-closes") == (
        "The closing time must be after the opening time (17:00), on the same day."
    )
    # What was typed is still there, and nothing was saved.
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find(attrs={"name": "opening_times-0-opens"})["value"] == "17:00"
    assert not OpeningTime.objects.exists()


def test_overlapping_times_on_one_day_are_an_error_next_to_the_later_one(admin_client, location):
    response = admin_client.post(
        edit_url(location),
        location_form(
            location,
            times=[(1, "13:00", "17:00"), (1, "09:00", "13:30"), (2, "12:00", "18:00")],
        ),
    )
    assert response.status_code == 200
    assert field_error(response, "opening_times-0-opens") == (
        "This overlaps another opening time on the same day (09:00–13:30). "
        "Make one end before the other starts."
    )
    assert field_error(response, "opening_times-1-opens") == ""
    assert field_error(response, "opening_times-2-opens") == ""  # Tuesday: another day
    assert not OpeningTime.objects.exists()


def test_one_time_closing_as_the_next_opens_is_no_overlap(admin_client, location):
    response = admin_client.post(
        edit_url(location),
        location_form(location, times=[(3, "09:00", "12:30"), (3, "12:30", "17:00")]),
    )
    assert response.status_code == 302
    assert OpeningTime.objects.filter(location=location).count() == 2


def test_an_exception_ending_before_it_starts_is_an_error_next_to_its_last_day(
    admin_client, location
):
    response = admin_client.post(
        edit_url(location),
        location_form(location, exceptions=[("", "2026-12-26", "2026-12-25", "", "")]),
    )
    assert response.status_code == 200
    assert field_error(response, "opening_exceptions-0-last_day") == (
        "The last day cannot be before the first (26 December 2026)."
    )
    assert not OpeningHoursException.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "field", "error"),
    [
        ("10:00", "", "closes", "Give both the opening and the closing time"),
        ("", "14:00", "opens", "Give both the opening and the closing time"),
        ("14:00", "10:00", "closes", "The closing time must be after the opening time (14:00)"),
    ],
)
def test_special_hours_need_an_opening_before_a_closing_time(
    admin_client, location, opens, closes, field, error
):
    response = admin_client.post(
        edit_url(location),
        location_form(location, exceptions=[("", "2026-12-24", "", opens, closes)]),
    )
    assert response.status_code == 200
    assert field_error(response, f"opening_exceptions-0-{field}").startswith(error)
    assert not OpeningHoursException.objects.exists()


# What patients see and search engines read.


def hours_of(soup):
    """Each location's week as {day: hours} and its listed changes, as a person reads them."""
    block = soup.select_one("[data-opening-hours]")
    week = {row.th.get_text(strip=True): row.td.get_text(strip=True) for row in block.select("tr")}
    changes = [item.get_text(" ", strip=True) for item in block.select("li")]
    return week, changes


@pytest.fixture
def holidays(home_page):
    """The demo clinic's hours (Monday to Friday 09:00 to 17:00) with Christmas 2026 (closed
    25 and 26 December), special hours on 24 December and a closure next spring."""
    location = ClinicLocation.objects.get()
    location.opening_exceptions.all().delete()
    OpeningTime.objects.create(location=location, weekday=6, opens="09:00", closes="12:30")
    for label, first, last, opens, closes in [
        ("Christmas", datetime.date(2026, 12, 25), datetime.date(2026, 12, 26), None, None),
        ("", datetime.date(2026, 12, 24), None, datetime.time(10), datetime.time(14)),
        ("Staff training", datetime.date(2027, 4, 1), None, None, None),
    ]:
        OpeningHoursException.objects.create(
            location=location,
            label=label,
            first_day=first,
            last_day=last,
            opens=opens,
            closes=closes,
        )
    return location


def home_page_at(client, moment):
    with time_machine.travel(moment, tick=False):
        response = client.get("/")
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    return soup, json.loads(soup.find("script", type="application/ld+json").string)["@graph"][0]


def test_the_home_page_shows_the_week_monday_first_and_the_changes_coming_up(client, holidays):
    soup, _ = home_page_at(client, at(2026, 12, 20))
    week, changes = hours_of(soup)
    assert list(week.items()) == [
        ("Monday", "09:00–17:00"),
        ("Tuesday", "09:00–17:00"),
        ("Wednesday", "09:00–17:00"),
        ("Thursday", "09:00–17:00"),
        ("Friday", "09:00–17:00"),
        ("Saturday", "09:00–12:30"),
        ("Sunday", "Closed"),
    ]
    # Date order; the closure in April is more than two months away.
    assert changes == [
        "Open 10:00–14:00 on 24 December 2026",
        "Closed on 25 and 26 December 2026 (Christmas)",
    ]
    dates = [time["datetime"] for time in soup.select("[data-opening-hours] li time")]
    assert dates == ["2026-12-24", "2026-12-25", "2026-12-26"]
    # The script that marks today is told the clinic's time zone.
    script = soup.find("script", src="/static/js/opening-hours.js")
    assert script["data-time-zone"] == "Europe/London"


def test_opening_hours_on_a_holiday(client, holidays):
    """On 25 December the page lists the closure (by its dates) and, as on any day, says
    nothing of "today": a cached copy read on another day stays true."""
    soup, clinic = home_page_at(client, at(2026, 12, 25, 9))
    week, changes = hours_of(soup)
    assert week["Friday"] == "09:00–17:00"  # the usual week; the browser marks the day
    assert changes == ["Closed on 25 and 26 December 2026 (Christmas)"]
    block = soup.select_one("[data-opening-hours]")
    assert "today" not in block.get_text().lower()
    assert not block.select("[aria-current]")
    (item,) = block.select("li")
    assert (item["data-first-day"], item["data-last-day"], item["data-today-text"]) == (
        "2026-12-25",
        "2026-12-26",
        "Closed today (Christmas)",
    )
    assert clinic["specialOpeningHoursSpecification"][0] == {
        "@type": "OpeningHoursSpecification",
        "validFrom": "2026-12-25",
        "validThrough": "2026-12-26",
        "opens": "00:00",
        "closes": "00:00",
        "name": "Christmas",
    }

    # Rendered afresh on the 27th: a copy kept in the page cache on the 25th may still be
    # served for up to PAGE_CACHE_SECONDS, its past closure hidden by the browser's script.
    cache.clear()
    soup, clinic = home_page_at(client, at(2026, 12, 27))
    assert hours_of(soup)[1] == []  # Christmas is over, the spring closure still far off
    assert not soup.select("[data-opening-changes]")
    assert [spec["validFrom"] for spec in clinic["specialOpeningHoursSpecification"]] == [
        "2027-04-01"
    ]


def test_the_json_ld_gives_the_week_and_the_special_hours(client, holidays):
    _, clinic = home_page_at(client, at(2026, 12, 20))
    assert clinic["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [
                f"https://schema.org/{day}"
                for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
            ],
            "opens": "09:00",
            "closes": "17:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": ["https://schema.org/Saturday"],
            "opens": "09:00",
            "closes": "12:30",
        },
    ]
    assert clinic["specialOpeningHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "validFrom": "2026-12-24",
            "validThrough": "2026-12-24",
            "opens": "10:00",
            "closes": "14:00",
        },
        {
            "@type": "OpeningHoursSpecification",
            "validFrom": "2026-12-25",
            "validThrough": "2026-12-26",
            "opens": "00:00",
            "closes": "00:00",
            "name": "Christmas",
        },
        {
            "@type": "OpeningHoursSpecification",
            "validFrom": "2027-04-01",
            "validThrough": "2027-04-01",
            "opens": "00:00",
            "closes": "00:00",
            "name": "Staff training",
        },
    ]


def test_a_day_with_a_lunch_break_is_two_times_in_the_table_and_the_json_ld(client, holidays):
    monday = OpeningTime.objects.get(location=holidays, weekday=1)
    monday.closes = datetime.time(12, 30)
    monday.save()
    OpeningTime.objects.create(location=holidays, weekday=1, opens="13:30", closes="17:00")
    soup, clinic = home_page_at(client, at(2026, 12, 20))
    assert hours_of(soup)[0]["Monday"] == "09:00–12:30 and 13:30–17:00"
    mondays = [
        (spec["opens"], spec["closes"])
        for spec in clinic["openingHoursSpecification"]
        if "https://schema.org/Monday" in spec["dayOfWeek"]
    ]
    assert mondays == [("09:00", "12:30"), ("13:30", "17:00")]


def test_the_procedure_page_location_section_shows_the_same_hours(client, holidays):
    with time_machine.travel(at(2026, 12, 20), tick=False):
        response = client.get(PROLOTHERAPY)
    soup = BeautifulSoup(response.content, "html.parser")
    section = soup.select_one(".block--location_map")
    week, changes = hours_of(section)
    assert week["Saturday"] == "09:00–12:30"
    assert week["Sunday"] == "Closed"
    assert changes[1] == "Closed on 25 and 26 December 2026 (Christmas)"
    assert soup.find("script", src="/static/js/opening-hours.js")["data-time-zone"] == (
        "Europe/London"
    )
    graph = json.loads(soup.find("script", type="application/ld+json").string)["@graph"]
    (clinic,) = [node for node in graph if node["@type"] == "MedicalClinic"]
    assert clinic["specialOpeningHoursSpecification"][1]["name"] == "Christmas"


def test_a_new_holiday_shows_at_once_on_the_cached_procedure_page(client, holidays):
    with time_machine.travel(at(2026, 12, 20), tick=False):
        client.get(PROLOTHERAPY)  # now cached
        OpeningHoursException.objects.create(
            location=holidays, label="New Year", first_day=datetime.date(2027, 1, 1)
        )
        response = client.get(PROLOTHERAPY)
    _, changes = hours_of(BeautifulSoup(response.content, "html.parser"))
    assert "Closed on 1 January 2027 (New Year)" in changes


def test_the_demo_clinic_is_closed_on_the_coming_christmas(client, db):
    from tests.conftest import load_demo_content

    with time_machine.travel(at(2026, 12, 1), tick=False):
        load_demo_content()
        response = client.get("/")
    week, changes = hours_of(BeautifulSoup(response.content, "html.parser"))
    assert week["Monday"] == "09:00–17:00"
    assert week["Saturday"] == "Closed"
    assert changes == ["Closed on 25 and 26 December 2026 (Christmas)"]


def hours_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "locations_opening" in q["sql"]]


def test_the_home_page_queries_do_not_grow_with_the_locations(client, holidays):
    # The locations are one query; their opening times, all of them, one more; their
    # exceptions one more (prefetch_related).
    with time_machine.travel(at(2026, 12, 20), tick=False):
        client.get("/")
        cache.clear()  # the page rendered again, not answered from the page cache
        with CaptureQueriesContext(connection) as one:
            client.get("/")
        for number in range(3):
            other = ClinicLocation.objects.create(
                name=f"Clinic {number}",
                street_address="3 Example Lane",
                locality="Exampletown",
                latitude="51.5",
                longitude="-0.1",
            )
            OpeningTime.objects.create(location=other, weekday=1, opens="09:00", closes="17:00")
            OpeningHoursException.objects.create(
                location=other, first_day=datetime.date(2026, 12, 25)
            )
        cache.clear()
        with CaptureQueriesContext(connection) as four:
            response = client.get("/")
    assert len(BeautifulSoup(response.content, "html.parser").select("[data-opening-hours]")) == 4
    assert len(four) == len(one)
    times, exceptions = hours_queries(four)
    assert "locations_openingtime" in times and "locations_openinghoursexception" in exceptions


def test_the_locations_inspect_view_still_opens(admin_client, location):
    url = reverse(ClinicLocation.snippet_viewset.get_url_name("inspect"), args=[location.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "Riverside Clinic" in BeautifulSoup(response.content, "html.parser").main.get_text()
