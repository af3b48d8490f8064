"""Each clinic location's opening hours text ("Monday to Friday: 9am to 5pm", "Sunday:
closed", one line a day or range) read into opening times, so that no location loses its
hours. A note in brackets after a line is not kept.

The site has checked every line on saving since the text field came in, so each one can be
read; a line that still cannot stops the migration, naming the location and the line, before
anything changes (fix it in the text, then migrate again). Going back writes the opening
times as lines ("Monday: 09:00 to 12:30"); dated exceptions have no text to go back to.
"""

import datetime
import re

from django.db import migrations

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LINE = re.compile(r"^(?P<days>[A-Za-z ,]+):\s*(?P<hours>.+?)\s*(\(.*\))?$")
TIME = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
HOURS = re.compile(rf"^{TIME}\s*(?:to|-|–)\s*{TIME}$", re.IGNORECASE)


class UnreadableLine(ValueError):
    pass


def _day(word):
    for day in DAYS:
        if day.lower() == word.strip().lower():
            return day
    raise UnreadableLine(f'"{word.strip()}" is not a day of the week')


def _days(text):
    days = []
    for part in re.split(r",|\band\b", text):
        if not part.strip():
            continue
        if " to " in part:
            first, last = (DAYS.index(_day(word)) for word in part.split(" to ", 1))
            if last < first:
                raise UnreadableLine(f'"{part.strip()}" runs backwards')
            days += DAYS[first : last + 1]
        else:
            days.append(_day(part))
    return days


def _time(hour, minute, meridiem):
    hour, minute = int(hour), int(minute or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            raise UnreadableLine(f"{hour}{meridiem} is not a time")
        hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise UnreadableLine(f"{hour}:{minute:02d} is not a time")
    return datetime.time(hour, minute)


def parse_line(line):
    """The days and (opens, closes) of one line; None for the hours when closed."""
    match = LINE.match(line.strip())
    if not match:
        raise UnreadableLine('not written as "Monday to Friday: 9am to 5pm"')
    days = _days(match["days"])
    hours = match["hours"].strip()
    if hours.lower() == "closed":
        return days, None
    times = HOURS.match(hours)
    if not times:
        raise UnreadableLine('hours not written as "9am to 5pm"')
    return days, (_time(*times.groups()[:3]), _time(*times.groups()[3:]))


def text_to_times(apps, schema_editor):
    ClinicLocation = apps.get_model("procedures", "ClinicLocation")
    OpeningTime = apps.get_model("procedures", "OpeningTime")
    times = []
    for location in ClinicLocation.objects.order_by("pk"):
        for line in location.opening_hours.splitlines():
            if not line.strip():
                continue
            try:
                days, hours = parse_line(line)
            except UnreadableLine as error:
                raise RuntimeError(
                    f'Clinic location "{location.name}" (id {location.pk}): cannot read the '
                    f'opening hours line "{line.strip()}" ({error}). Correct it, then migrate '
                    "again."
                ) from error
            if hours is None:
                continue
            if hours[1] <= hours[0]:
                raise RuntimeError(
                    f'Clinic location "{location.name}" (id {location.pk}): the line '
                    f'"{line.strip()}" closes before it opens. Correct it, then migrate again.'
                )
            for day in days:
                times.append(
                    OpeningTime(
                        location=location,
                        weekday=DAYS.index(day) + 1,
                        opens=hours[0],
                        closes=hours[1],
                    )
                )
    OpeningTime.objects.bulk_create(times)


def times_to_text(apps, schema_editor):
    ClinicLocation = apps.get_model("procedures", "ClinicLocation")
    OpeningTime = apps.get_model("procedures", "OpeningTime")
    for location in ClinicLocation.objects.all():
        location.opening_hours = "\n".join(
            f"{DAYS[time.weekday - 1]}: {time.opens:%H:%M} to {time.closes:%H:%M}"
            for time in OpeningTime.objects.filter(location=location).order_by("weekday", "opens")
        )
        location.save(update_fields=["opening_hours"])


class Migration(migrations.Migration):
    dependencies = [("procedures", "0012_opening_hours_as_data")]

    operations = [migrations.RunPython(text_to_times, times_to_text)]
