"""The admin for procedures: the Treatments listing, clinic content, review reports, choosers."""

from django.contrib.admin import SimpleListFilter
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail_modeladmin.helpers import PageButtonHelper, PagePermissionHelper
from wagtail_modeladmin.options import ModelAdmin, ModelAdminGroup, modeladmin_register

from .choosers import clinic_location_chooser_viewset, reference_chooser_viewset
from .models import BodyArea, ClinicLocation, ProcedurePage, Reference
from .views import ProceduresDueForReviewView


@hooks.register("register_admin_viewset")
def register_choosers():
    return [reference_chooser_viewset, clinic_location_chooser_viewset]


class ReviewStatusFilter(SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("due_soon", "Due within 30 days")]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "due_soon":
            return queryset.review_due_soon()
        return queryset


class TreatmentsPermissionHelper(PagePermissionHelper):
    def user_can_list(self, user):
        """Staff who work on pages, and clinical reviewers; not the front desk."""
        return ProceduresDueForReviewView.user_may_see(user)


class TreatmentsButtonHelper(PageButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, **kwargs):
        # "Copy" asks about the page's parent, one query a row; it stays in the page explorer.
        return super().get_buttons_for_obj(obj, exclude=[*(exclude or []), "copy"], **kwargs)


class TreatmentsAdmin(ModelAdmin):
    """Procedure pages, with their review dates; "Add" creates one under the procedures index."""

    model = ProcedurePage
    permission_helper_class = TreatmentsPermissionHelper
    button_helper_class = TreatmentsButtonHelper
    menu_label = "Treatments"
    menu_icon = "doc-full-inverse"
    menu_order = 150
    add_to_admin_menu = True
    list_display = ("title", "body_area_names", "live", "last_reviewed", "next_review")
    list_filter = ("body_areas", "live", ReviewStatusFilter)
    search_fields = ("title",)
    list_per_page = 50
    list_export = (
        "title",
        "body_area_names",
        "live",
        "last_reviewed",
        "reviewed_by",
        "next_review_due",
        "review_status",
    )
    export_filename = "treatments"
    ordering = ("title",)

    def get_queryset(self, request):
        # The row buttons ask about locks, workflows and scheduled publishing: fetch those
        # with the page list, as Wagtail's own page listings do, not once a row.
        return (
            super()
            .get_queryset(request)
            .prefetch_related("body_areas")
            .prefetch_workflow_states()
            .annotate_approved_schedule()
        )

    @staticmethod
    def next_review(page):
        due = date_format(page.next_review_due, "j M Y") if page.next_review_due else "Never"
        badges = {
            "overdue": '<strong class="w-status w-status--primary">Overdue</strong>',
            "due soon": '<span class="w-status">Due soon</span>',
        }
        if page.review_status not in badges:
            return due
        return format_html("{} {}", due, mark_safe(badges[page.review_status]))

    next_review.short_description = "Next review due"
    next_review.admin_order_field = "next_review_due"


class ClinicLocationAdmin(ModelAdmin):
    model = ClinicLocation
    menu_icon = "site"
    list_display = ("name", "locality", "postal_code", "phone")
    search_fields = ("name", "locality")


class ReferenceAdmin(ModelAdmin):
    model = Reference
    menu_icon = "openquote"
    list_display = ("authors", "title", "journal", "year", "doi", "pmid")
    list_filter = ("year",)
    search_fields = ("title", "authors", "doi", "pmid")


class BodyAreaAdmin(ModelAdmin):
    model = BodyArea
    menu_icon = "tag"
    list_display = ("name", "slug")
    search_fields = ("name",)


class ClinicContentGroup(ModelAdminGroup):
    menu_label = "Clinic content"
    menu_icon = "folder-open-inverse"
    menu_order = 160
    items = (ClinicLocationAdmin, ReferenceAdmin, BodyAreaAdmin)


modeladmin_register(TreatmentsAdmin)
modeladmin_register(ClinicContentGroup)


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
        "Procedures due for review",
        reverse("procedures_due_for_review"),
        name="procedures-due-for-review",
        icon_name="time",
        order=650,
    )


class OverdueReviewsPanel(Component):
    """Dashboard panel: procedure pages whose medical review is overdue."""

    name = "overdue_reviews"
    template_name = "procedures/admin/overdue_reviews_panel.html"
    order = 90

    def __init__(self, pages):
        self.pages = pages

    def get_context_data(self, parent_context):
        return {"pages": self.pages, "report_url": reverse("procedures_due_for_review")}


@hooks.register("construct_homepage_panels")
def add_overdue_reviews_panel(request, panels):
    if ProceduresDueForReviewView.user_may_see(request.user):
        pages = list(ProcedurePage.objects.review_overdue().order_by("next_review_due")[:10])
        if pages:
            panels.append(OverdueReviewsPanel(pages))
