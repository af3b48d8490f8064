import datetime

from django.db.models import Count, Min
from django.urls import path
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.models import Page

from .models import ContactFormPage, ContactSubmission
from .views import VIEW_SUBMISSIONS, DeleteContactSubmissionsView, FormsIndexView


@hooks.register("filter_form_submissions_for_user")
def contact_submissions_need_their_own_permission(user, editable_forms):
    """Who reads patients' messages is decided by the "view contact message" permission
    (Editors, Front desk), not by who may edit the contact page (Marketing may)."""
    if user.has_perm(VIEW_SUBMISSIONS):
        return editable_forms | Page.objects.type(ContactFormPage)
    return editable_forms.not_type(ContactFormPage)


# Registered before wagtail.contrib.forms' own URLs (order -1), so these views answer the
# same addresses and URL names.
@hooks.register("register_admin_urls", order=-1)
def register_contact_message_urls():
    return [
        path("forms/", FormsIndexView.as_view(), name="contact_forms_index"),
        path(
            "forms/results/",
            FormsIndexView.as_view(results_only=True),
            name="contact_forms_index_results",
        ),
        path(
            "forms/submissions/<int:page_id>/delete/",
            DeleteContactSubmissionsView.as_view(),
            name="contact_submissions_delete",
        ),
    ]


class NewestMessagesPanel(Component):
    """Dashboard panel for the staff who answer patients' messages (front desk, editors):
    the newest few, each leading to the messages of its form."""

    name = "newest_contact_messages"
    template_name = "clinic_forms/admin/newest_messages_panel.html"
    order = 50
    SHOWN = 5

    def __init__(self, messages):
        self.messages = messages

    def get_context_data(self, parent_context):
        return {"messages": self.messages}


@hooks.register("construct_homepage_panels")
def add_newest_messages_panel(request, panels):
    if request.user.has_perm(VIEW_SUBMISSIONS):
        newest = ContactSubmission.objects.select_related("page").order_by("-submit_time", "-pk")
        panels.append(NewestMessagesPanel(list(newest[: NewestMessagesPanel.SHOWN])))


# A contact message not yet mailed to the clinic this long after it was sent is late: the task
# worker sends it within seconds, and retries (send_pending_notifications) come every 10
# minutes.
MAIL_LATE_AFTER = datetime.timedelta(minutes=10)


class LateMailPanel(Component):
    """Dashboard warning for the staff who answer patients' messages: messages that have
    waited more than MAIL_LATE_AFTER to be mailed to the clinic (read them here meanwhile)."""

    name = "late_contact_mail"
    template_name = "clinic_forms/admin/late_mail_panel.html"
    order = 10  # first on the dashboard

    def __init__(self, count, oldest):
        self.count = count
        self.oldest = oldest

    def get_context_data(self, parent_context):
        return {
            "count": self.count,
            "oldest": self.oldest,
            "minutes": round(MAIL_LATE_AFTER.total_seconds() / 60),
        }


def late_mail():
    """The contact messages waiting more than MAIL_LATE_AFTER to be mailed: (count, oldest)."""
    late = ContactSubmission.objects.pending().filter(
        submit_time__lt=timezone.now() - MAIL_LATE_AFTER
    )
    found = late.aggregate(count=Count("pk"), oldest=Min("submit_time"))
    return found["count"], found["oldest"]


@hooks.register("construct_homepage_panels")
def add_late_mail_warning(request, panels):
    if request.user.has_perm(VIEW_SUBMISSIONS):
        count, oldest = late_mail()
        if count:
            panels.append(LateMailPanel(count, oldest))
