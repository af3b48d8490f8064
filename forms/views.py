"""The admin's list of contact messages, with exports that are safe to open."""

import re

from wagtail.contrib.forms.views import SubmissionsListView

# A spreadsheet program reads a CSV cell starting with one of these as a formula
# (=HYPERLINK(...), @SUM(...), +cmd|...): such a cell is written as text, behind a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0, and so an XLSX file, cannot hold: control characters other than tab and
# line breaks, lone surrogates, U+FFFE and U+FFFF.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as the text it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(value):
    """An XLSX cell value with each character XML cannot hold replaced by U+FFFD."""
    if isinstance(value, str):
        return NOT_XML.sub("\ufffd", value)
    return value


class ContactSubmissionsListView(SubmissionsListView):
    """Wagtail's list of submissions; its exports carry whatever a patient typed as text."""

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return csv_cell(value)
        return xlsx_cell(value)
