"""The admin for procedures: the Treatments listing and the clinic content snippets."""

from django.contrib import admin, messages
from django.contrib.admin import SimpleListFilter
from django.db.models import Value
from django.shortcuts import redirect
from django.template.loader import render_to_string
from wagtail import hooks
from wagtail.models import ReferenceIndex
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup
from wagtail_modeladmin.helpers import PageButtonHelper, PagePermissionHelper
from wagtail_modeladmin.options import ModelAdmin, modeladmin_register
from wagtail_modeladmin.views import IndexView

from clinical_review.views import ProceduresDueForReviewView
from locations.models import ClinicLocation
from locations.views import ClinicLocationViewSet

from .choosers import ReferenceChooserViewSet
from .models import BodyArea, ProcedurePage, Reference
from .readability import smog_target


class ReviewStatusFilter(SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("due_soon", "Due within 30 days"),
            ("not_reviewed", "Not reviewed yet"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return queryset.review_overdue()
        if self.value() == "due_soon":
            return queryset.review_due_soon()
        if self.value() == "not_reviewed":
            return queryset.not_reviewed()
        return queryset


class TreatmentsPermissionHelper(PagePermissionHelper):
    def user_can_list(self, user):
        """Staff who work on pages, and clinical reviewers; not the front desk."""
        return ProceduresDueForReviewView.user_may_see(user)


class TreatmentsButtonHelper(PageButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, **kwargs):
        # "Copy" asks about the page's parent, one query a row; it stays in the page explorer.
        return super().get_buttons_for_obj(obj, exclude=[*(exclude or []), "copy"], **kwargs)


class TreatmentsIndexView(IndexView):
    # The export title-cases headings; SMOG is an acronym.
    export_headings = {"smog_grade": "Reading level (SMOG grade)"}


class TreatmentsAdmin(ModelAdmin):
    """Procedure pages, with their review dates; "Add" creates one under the procedures index."""

    model = ProcedurePage
    permission_helper_class = TreatmentsPermissionHelper
    button_helper_class = TreatmentsButtonHelper
    index_view_class = TreatmentsIndexView
    menu_label = "Treatments"
    menu_icon = "doc-full-inverse"
    menu_order = 150
    add_to_admin_menu = True
    list_display = (
        "title",
        "body_area_names",
        "live",
        "last_reviewed",
        "next_review",
        "reading_level",
    )
    list_filter = ("body_areas", "live", ReviewStatusFilter)
    search_fields = ("title",)
    list_per_page = 50
    list_export = (
        "title",
        "body_area_names",
        "live",
        "smog_grade",
        "last_reviewed",
        "reviewed_by",
        "next_review_due",
        "review_status_label",
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
            .annotate(smog_target=Value(smog_target(request)))
        )

    @admin.display(description="Next review due", ordering="next_review_due")
    def next_review(self, page):
        return render_to_string("clinical_review/admin/review_status.html", {"page": page})

    @admin.display(description="Reading level (SMOG)", ordering="smog_grade")
    def reading_level(self, page):
        """The SMOG grade of the page's saved text, marked when above the clinic's target."""
        return render_to_string(
            "procedures/admin/reading_level.html",
            {"grade": page.smog_grade, "target": page.smog_target},
        )


modeladmin_register(TreatmentsAdmin)


# Clinic content: what procedure pages show from outside the page. Only those who may approve
# clinical content (clinical reviewers, superusers) may change or delete it; editors and
# marketing may add new items (a new one reaches a live page only through a page's review).


class ReferenceViewSet(SnippetViewSet):
    model = Reference
    icon = "openquote"
    menu_label = "References"
    list_display = ["authors", "title", "journal", "year", "doi", "pmid"]
    list_filter = ["year"]
    inspect_view_enabled = True
    chooser_viewset_class = ReferenceChooserViewSet


class BodyAreaViewSet(SnippetViewSet):
    model = BodyArea
    icon = "tag"
    menu_label = "Body areas"
    list_display = ["name", "slug"]
    inspect_view_enabled = True


class ClinicContentGroup(SnippetViewSetGroup):
    menu_label = "Clinic content"
    menu_icon = "folder-open-inverse"
    menu_order = 160
    items = (ClinicLocationViewSet, ReferenceViewSet, BodyAreaViewSet)


register_snippet(ClinicContentGroup)


@hooks.register("before_delete_snippet")
def refuse_to_delete_clinic_content_in_use(request, instances):
    """A reference, location or body area that a page uses is not deleted (a finding would
    cite nothing, a map would show nowhere): the person sees the pages that use it instead."""
    for instance in instances:
        if not isinstance(instance, (Reference, ClinicLocation, BodyArea)):
            continue
        pages = [page for page, _ in ReferenceIndex.get_grouped_references_to(instance)]
        if pages:
            titles = ", ".join(f"“{page.get_admin_display_title()}”" for page in pages)
            messages.error(
                request,
                f"“{instance}” cannot be deleted: it is used on {titles}. "
                "Remove it from those pages first.",
            )
            return redirect(instance.snippet_viewset.get_url_name("usage"), instance.pk)
    return None


@hooks.register("construct_page_action_menu")
def approve_procedure_pages_rather_than_publish_them(menu_items, request, context):
    """A clinical reviewer may publish a procedure page (the approved review publishes it, as
    the reviewer), but the editor offers them Approve, which records the review, not Publish."""
    if isinstance(context.get("page"), ProcedurePage) and not request.user.is_superuser:
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]
