"""Opening hours as editors write them, one line a day or range ("Monday to Friday: 9am to
5pm", "Saturday and Sunday: closed"), read into schema.org's OpeningHoursSpecification."""

import re

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LINE = re.compile(r"^(?P<days>[A-Za-z ,]+):\s*(?P<hours>.+?)\s*(\(.*\))?$")
TIME = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"
HOURS = re.compile(rf"^{TIME}\s*(?:to|-|–)\s*{TIME}$", re.IGNORECASE)
FORM = '"Monday to Friday: 9am to 5pm" or "Sunday: closed"'


class OpeningHoursError(ValueError):
    pass


def _day(word):
    for day in DAYS:
        if day.lower() == word.strip().lower():
            return day
    raise OpeningHoursError(f'"{word.strip()}" is not a day of the week')


def _days(text):
    """ "Monday to Friday", "Saturday and Sunday", "Monday, Wednesday and Friday"."""
    days = []
    for part in re.split(r",|\band\b", text):
        if not part.strip():
            continue
        if " to " in part:
            first, last = (DAYS.index(_day(word)) for word in part.split(" to ", 1))
            if last < first:
                raise OpeningHoursError(f'"{part.strip()}" runs backwards')
            days += DAYS[first : last + 1]
        else:
            days.append(_day(part))
    return days


def _time(hour, minute, meridiem):
    hour, minute = int(hour), int(minute or 0)
    if meridiem:
        if not 1 <= hour <= 12:
            raise OpeningHoursError(f"{hour}{meridiem} is not a time")
        hour = hour % 12 + (12 if meridiem.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        raise OpeningHoursError(f"{hour}:{minute:02d} is not a time")
    return f"{hour:02d}:{minute:02d}"


def parse_line(line):
    """The days and (opens, closes) of one line; closes is None when closed."""
    match = LINE.match(line.strip())
    if not match:
        raise OpeningHoursError(f"write it as {FORM}")
    days = _days(match["days"])
    hours = match["hours"].strip()
    if hours.lower() == "closed":
        return days, None
    times = HOURS.match(hours)
    if not times:
        raise OpeningHoursError(f'write the hours as "9am to 5pm" (or {FORM})')
    return days, (_time(*times.groups()[:3]), _time(*times.groups()[3:]))


def opening_hours_errors(lines):
    """What is wrong with each line, as sentences (empty when every line can be read)."""
    errors = []
    for number, line in enumerate(lines, start=1):
        try:
            parse_line(line)
        except OpeningHoursError as error:
            errors.append(f'Line {number} ("{line}"): {error}.')
    return errors


def opening_hours_specification(lines):
    specs = []
    for line in lines:
        days, hours = parse_line(line)
        if hours is None:
            continue
        specs.append(
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{day}" for day in days],
                "opens": hours[0],
                "closes": hours[1],
            }
        )
    return specs
