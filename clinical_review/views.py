from django.utils import timezone
from wagtail.admin.auth import permission_denied
from wagtail.admin.views.reports import PageReportView
from wagtail.models import Page
from wagtail.permissions import policy_registry

from .models import REVIEW_DUE_SOON_DAYS, reviewed_page_model
from .workflows import may_review


class ProceduresDueForReviewView(PageReportView):
    """Live procedure pages whose medical review is overdue, due within 30 days, or not done yet."""

    page_title = "Treatments due for review"
    header_icon = "time"
    results_template_name = "clinical_review/admin/due_for_review_results.html"
    index_url_name = "procedures_due_for_review"
    index_results_url_name = "procedures_due_for_review_results"
    list_export = ["title", "status_string", "last_reviewed", "reviewed_by", "next_review_due"]
    export_headings = {
        "status_string": "Status",
        "last_reviewed": "Last reviewed",
        "reviewed_by": "Reviewed by",
        "next_review_due": "Next review due",
    }
    permission_policy = None  # access is decided by user_may_see

    @staticmethod
    def user_may_see(user):
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        page_policy = policy_registry.get_by_type(Page)
        if page_policy.user_has_any_permission(user, ["add", "change", "publish"]):
            return True
        return may_review(user)

    def dispatch(self, request, *args, **kwargs):
        if not self.user_may_see(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"procedures-due-for-review-{timezone.localdate():%Y-%m-%d}"

    def setup(self, request, *args, **kwargs):
        self.model = reviewed_page_model()
        super().setup(request, *args, **kwargs)

    def get_queryset(self):
        self.queryset = (
            reviewed_page_model()
            .objects.review_due(REVIEW_DUE_SOON_DAYS)
            .order_by("next_review_due", "title")
        )
        return super().get_queryset()
