"""The "Clinical review" workflow: a procedure page goes live when a clinician approves it.

Wagtail imports `publish_after_review` while its own models load, so this module imports
models only inside its functions.
"""

CLINICAL_REVIEW = "Clinical review"
CLINICAL_REVIEWERS = "Clinical reviewers"


def reviewer_name(user):
    return user.get_full_name() or user.get_username()


def publish_after_review(workflow_state, user=None):
    """What finishing an approved workflow does (WAGTAIL_FINISH_WORKFLOW_ACTION).

    Publishes the approved revision, as Wagtail does by default. For a page with a medical
    review, the approval is the review: it is recorded on the page (reviewed today, by the
    approver, next review a year on) in the revision that goes live. The approver need not
    hold the publish permission: approving is what the workflow asks of them.
    """
    from .models import MedicalReviewMixin

    revision = workflow_state.content_object.get_latest_revision()
    page = revision.as_object()
    if user is not None and isinstance(page, MedicalReviewMixin):
        page.record_review(reviewer_name(user))
        revision = page.save_revision(user=user, clean=False)
    revision.publish(user=user, skip_permission_checks=True)


def assign_clinical_review(index_page):
    """Put the procedures section under the clinical review workflow (if it exists)."""
    from wagtail.models import Workflow, WorkflowPage

    workflow = Workflow.objects.filter(name=CLINICAL_REVIEW, active=True).first()
    if workflow is not None:
        WorkflowPage.objects.get_or_create(page=index_page, defaults={"workflow": workflow})
