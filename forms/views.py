"""The admin's contact messages: who reads them (Editors, Front desk) and who may delete them.

Exports carry whatever a patient typed as text (no formulas, no characters XLSX cannot
hold). Wagtail lets whoever reads a form's messages delete them, and opens its forms index only to
those who may edit some page. Here reading needs the "view contact message" permission (see
wagtail_hooks.py), deleting the "delete contact message" one, and the forms index opens to
whoever may read a form's messages, as its menu item does.
"""

import re

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from wagtail.contrib.forms.utils import get_forms_for_user
from wagtail.contrib.forms.views import (
    DeleteSubmissionsView,
    FormPagesListView,
    SubmissionsListView,
)

VIEW_SUBMISSIONS = "clinic_forms.view_contactsubmission"
DELETE_SUBMISSIONS = "clinic_forms.delete_contactsubmission"

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


class FormsIndexView(FormPagesListView):
    """The "Forms" menu item's page, for everyone the menu item is shown to: the messages
    themselves when the person may read one form only (the clinic has one contact form)."""

    any_permission_required = None

    def dispatch(self, request, *args, **kwargs):
        form_ids = list(get_forms_for_user(request.user).values_list("pk", flat=True)[:2])
        if not form_ids:
            raise PermissionDenied
        if len(form_ids) == 1 and not self.results_only:
            return redirect("wagtailforms:list_submissions", form_ids[0])
        return super().dispatch(request, *args, **kwargs)


class ContactSubmissionsListView(SubmissionsListView):
    """A form's messages; the boxes to select and delete them only for those who may; exports
    that carry whatever a patient typed as text."""

    results_template_name = "clinic_forms/admin/list_submissions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_delete"] = self.request.user.has_perm(DELETE_SUBMISSIONS)
        return context

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return csv_cell(value)
        return xlsx_cell(value)


class DeleteContactSubmissionsView(DeleteSubmissionsView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(DELETE_SUBMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
