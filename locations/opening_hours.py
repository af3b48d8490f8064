"""Opening hours as data: a clinic location's weekly opening times and its dated exceptions
(holidays, closures, special hours), worded for patients and read into schema.org's
OpeningHoursSpecification.

Nothing here depends on the day a page is rendered except `upcoming`, and what it leaves in
a page names its dates: a page served from a cache days later still says something true.
"""

import datetime

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import format_html

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# The exceptions a page lists: those not over yet that start within this many days.
UPCOMING_DAYS = 60
# schema.org's way of saying "closed all day" in a special opening hours specification.
CLOSED_ALL_DAY = ("00:00", "00:00")


def day_and_month(day):
    """ "25 December", the month in the site's language (as the date filter's "j F")."""
    return f"{day.day} {MONTHS[day.month]}"


def long_date(day):
    """ "25 December 2026"."""
    return f"{day_and_month(day)} {day.year}"


def hhmm(time):
    return time.strftime("%H:%M")


def time_range(opens, closes):
    return f"{hhmm(opens)}–{hhmm(closes)}"


def overlapping(ranges):
    """The ranges, each a (opens, closes, item), that start before an earlier one on the same
    day has closed: [(item, earlier item), …]."""
    found = []
    latest = None
    for opens, closes, item in sorted(ranges, key=lambda r: (r[0], r[1])):
        if latest is not None and opens < latest[1]:
            found.append((item, latest[2]))
        if latest is None or closes > latest[1]:
            latest = (opens, closes, item)
    return found


def week(times):
    """Monday first: one row a day, (ISO weekday number, day name, ["09:00–12:30", …]); a day
    without opening times has an empty list (the clinic is closed)."""
    by_day = {number: [] for number in range(1, 8)}
    for time in sorted(times, key=lambda t: (t.weekday, t.opens)):
        by_day[time.weekday].append(time_range(time.opens, time.closes))
    return [(number, DAYS[number - 1], by_day[number]) for number in range(1, 8)]


def upcoming(exceptions, today=None, days=UPCOMING_DAYS):
    """The exceptions not over by `today` (the clinic's) that start within `days` of it, in
    date order."""
    today = today or timezone.localdate()
    until = today + datetime.timedelta(days=days)
    return sorted(
        (e for e in exceptions if e.last_day_or_first >= today and e.first_day <= until),
        key=lambda e: (e.first_day, e.last_day_or_first),
    )


def _day_text(day, other=None):
    """How `day` reads before `other` in "25 and 26 December 2026" or "31 December 2026 to
    2 January 2027": the month and year are said once when they are the same."""
    if other is None or day.year != other.year:
        return long_date(day)
    if day.month != other.month:
        return day_and_month(day)
    return str(day.day)


def _time(day, text):
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), text)


def dates_html(first, last):
    """ "on 25 December 2026", "on 25 and 26 December 2026" or "from 24 to 31 December 2026",
    each date in a <time> element."""
    if last == first:
        return format_html("on {}", _time(first, _day_text(first)))
    words = "on {} and {}" if last - first == datetime.timedelta(days=1) else "from {} to {}"
    return format_html(words, _time(first, _day_text(first, last)), _time(last, _day_text(last)))


def opening_hours_specification(times):
    """schema.org OpeningHoursSpecification: one entry for each (opens, closes), with the
    days that have it."""
    days_by_hours = {}
    for time in sorted(times, key=lambda t: (t.weekday, t.opens)):
        hours = (hhmm(time.opens), hhmm(time.closes))
        days_by_hours.setdefault(hours, []).append(DAYS[time.weekday - 1])
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [f"https://schema.org/{day}" for day in days],
            "opens": opens,
            "closes": closes,
        }
        for (opens, closes), days in sorted(
            days_by_hours.items(), key=lambda item: (DAYS.index(item[1][0]), item[0])
        )
    ]


def special_opening_hours_specification(exceptions, today=None):
    """schema.org's specialOpeningHoursSpecification for the exceptions not over by `today`:
    their dates, and opens = closes = "00:00" on the days the clinic is closed."""
    today = today or timezone.localdate()
    specs = []
    for exception in sorted(exceptions, key=lambda e: (e.first_day, e.last_day_or_first)):
        if exception.last_day_or_first < today:
            continue
        if exception.closed:
            opens, closes = CLOSED_ALL_DAY
        else:
            opens, closes = hhmm(exception.opens), hhmm(exception.closes)
        spec = {
            "@type": "OpeningHoursSpecification",
            "validFrom": exception.first_day.isoformat(),
            "validThrough": exception.last_day_or_first.isoformat(),
            "opens": opens,
            "closes": closes,
        }
        if exception.label:
            spec["name"] = exception.label
        specs.append(spec)
    return specs
