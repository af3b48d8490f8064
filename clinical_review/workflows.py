"""The "Clinical review": a procedure page goes live when a clinical reviewer approves it.

The workflow's task is a ClinicalReviewTask (clinical_review.models): approving it records the
review on the page; Wagtail's own finish action then publishes the page, as the approver, with
its permission checks (clinical reviewers may publish procedure pages). Who reviews is the
permission below, which the "Clinical reviewers" group holds (see the migrations), so renaming
the group changes nothing.

Practitioner profiles (practitioners.models) carry clinical credentials and go through the
same workflow, with the same permission testers.

This module imports models only inside its functions: clinical_review.models imports it.
"""

from wagtail.models.pages import PagePermissionTester

REVIEW_PERMISSION = "clinical_review.approve_clinical_content"


def may_review(user):
    """Whether the user approves clinical content (clinical reviewers, superusers)."""
    return user.is_active and user.has_perm(REVIEW_PERMISSION)


def reviewer_name(user):
    return user.get_full_name() or user.get_username()


def reviewer_profile(user):
    """The practitioner profile linked to the user's staff account, or None."""
    return getattr(user, "practitioner_profile", None)


class ClinicalPagePermissionTester(PagePermissionTester):
    """A page with clinical content: only those who may review publish it."""

    def can_publish(self):
        return may_review(self.user)


class ClinicalSectionPermissionTester(PagePermissionTester):
    """The parent of pages with clinical content: its reviewers may publish it too, and only a
    superuser may add a child page published (from its "add" form), past the review."""

    def can_publish(self):
        return super().can_publish() or may_review(self.user)

    def can_publish_subpage(self):
        return self.user.is_active and self.user.is_superuser


class ClinicalSectionMixin:
    """A page whose children hold clinical content (the treatments, the clinicians): created
    under the clinical review workflow, published by reviewers."""

    def permissions_for_user(self, user):
        return ClinicalSectionPermissionTester(user, self)

    def save(self, *args, **kwargs):
        created = self.pk is None
        super().save(*args, **kwargs)
        if created:
            assign_clinical_review(self)


def record_clinical_review(workflow_state, user):
    """Record the review done now by `user` in a new latest revision of the page under review,
    the revision that the workflow publishes when it finishes. A reviewer with a practitioner
    profile is recorded as that profile, with its name and role as text too."""
    from .models import MedicalReviewMixin

    page = workflow_state.content_object.get_latest_revision().as_object()
    if not isinstance(page, MedicalReviewMixin):
        return
    profile = reviewer_profile(user)
    if profile is None:
        page.record_review(reviewer_name(user))
    else:
        page.record_review(profile.name_and_role, practitioner=profile)
    page.save_revision(user=user, clean=False)
    # The workflow state holds the page it read: let it read the new latest revision.
    workflow_state.refresh_from_db()


def assign_clinical_review(index_page):
    """Put the procedures section under the clinical review workflow (if there is one), and let
    its reviewers lock the pages in it: Wagtail opens the comparison of a page under review with
    its live version only to those who hold some permission on pages."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission, Workflow, WorkflowPage

    from .models import ClinicalReviewTask

    tasks = ClinicalReviewTask.objects.filter(active=True)
    workflow = Workflow.objects.filter(active=True, workflow_tasks__task__in=tasks).first()
    if workflow is None:
        return
    WorkflowPage.objects.get_or_create(page=index_page, defaults={"workflow": workflow})
    lock = Permission.objects.get(content_type__app_label="wagtailcore", codename="lock_page")
    for task in tasks:
        for group in task.groups.all():
            GroupPagePermission.objects.get_or_create(group=group, page=index_page, permission=lock)
