"""The admin's contact messages: who reads them (Editors, Front desk) and who may delete them.

Wagtail lets whoever reads a form's messages delete them, and opens its forms index only to
those who may edit some page. Here reading needs the "view contact message" permission (see
wagtail_hooks.py), deleting the "delete contact message" one, and the forms index opens to
whoever may read a form's messages, as its menu item does.
"""

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
    """A form's messages; the boxes to select and delete them only for those who may."""

    results_template_name = "clinic_forms/admin/list_submissions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_delete"] = self.request.user.has_perm(DELETE_SUBMISSIONS)
        return context


class DeleteContactSubmissionsView(DeleteSubmissionsView):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(DELETE_SUBMISSIONS):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
