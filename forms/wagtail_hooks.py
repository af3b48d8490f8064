from wagtail import hooks
from wagtail.models import Page

from .models import ContactFormPage

VIEW_SUBMISSIONS = "clinic_forms.view_contactsubmission"


@hooks.register("filter_form_submissions_for_user")
def contact_submissions_need_their_own_permission(user, editable_forms):
    """Who reads patients' messages is decided by the "view contact submission" permission
    (Editors, Front desk), not by who may edit the contact page (Marketing may)."""
    if user.has_perm(VIEW_SUBMISSIONS):
        return editable_forms | Page.objects.type(ContactFormPage)
    return editable_forms.not_type(ContactFormPage)
