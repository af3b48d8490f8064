"""The admin of medical reviews: the report of treatments due for review, in the Reports menu,
and the dashboard's panel of overdue reviews."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from .models import reviewed_page_model
from .views import ProceduresDueForReviewView


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path(
            "reports/procedures-due-for-review/",
            ProceduresDueForReviewView.as_view(),
            name="procedures_due_for_review",
        ),
        path(
            "reports/procedures-due-for-review/results/",
            ProceduresDueForReviewView.as_view(results_only=True),
            name="procedures_due_for_review_results",
        ),
    ]


class ReviewReportMenuItem(MenuItem):
    def is_shown(self, request):
        return ProceduresDueForReviewView.user_may_see(request.user)


@hooks.register("register_reports_menu_item")
def register_review_report_menu_item():
    return ReviewReportMenuItem(
        "Treatments due for review",
        reverse("procedures_due_for_review"),
        name="procedures-due-for-review",
        icon_name="time",
        order=650,
    )


class OverdueReviewsPanel(Component):
    """Dashboard panel: procedure pages whose medical review is overdue."""

    name = "overdue_reviews"
    template_name = "clinical_review/admin/overdue_reviews_panel.html"
    order = 90

    def __init__(self, pages):
        self.pages = pages

    def get_context_data(self, parent_context):
        return {"pages": self.pages, "report_url": reverse("procedures_due_for_review")}


@hooks.register("construct_homepage_panels")
def add_overdue_reviews_panel(request, panels):
    if ProceduresDueForReviewView.user_may_see(request.user):
        pages = list(
            reviewed_page_model().objects.review_overdue().order_by("next_review_due")[:10]
        )
        if pages:
            panels.append(OverdueReviewsPanel(pages))
