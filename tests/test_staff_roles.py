"""Editors, marketing, clinical reviewers and the front desk, each logged in as themselves."""

import csv
import datetime
import io

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import WorkflowState

from forms.models import ContactFormPage
from home.demo import staff_password
from home.models import HomePage
from procedures.models import BodyArea, ProcedureIndexPage, ProcedurePage, one_year_after
from tests.admin_forms import STANDARD_SECTION_TYPES, minimal_procedure_body, procedure_form_data

TODAY = datetime.date.today()
TREATMENTS_URL = "/admin/procedures/procedurepage/"
REPORT_URL = "/admin/reports/procedures-due-for-review/"


def csv_rows(response):
    """The rows of a CSV export (Wagtail streams its exports)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def log_in(client, username):
    assert client.login(username=username, password=staff_password(username))


@pytest.fixture
def index(demo_content):
    return ProcedureIndexPage.objects.get()


@pytest.fixture
def contact_page(demo_content):
    return ContactFormPage.objects.get()


@pytest.fixture
def submission(contact_page):
    return contact_page.get_submission_class().objects.create(
        page=contact_page,
        form_data={
            "name": "Pat Patient",
            "email": "pat@example.org",
            "message": "Can I park at the clinic?",
        },
    )


def add_procedure(index, title, **fields):
    page = index.add_child(
        instance=ProcedurePage(title=title, summary=f"{title}: sample content.", **fields)
    )
    page.save_revision().publish()
    return page


def create_through_admin(client, index, contact_page, title, publish=False):
    data = procedure_form_data(
        title, title.lower().replace(" ", "-"), minimal_procedure_body(contact_page.pk)
    )
    if publish:
        data["action-publish"] = "action-publish"
    response = client.post(f"/admin/pages/add/procedures/procedurepage/{index.pk}/", data)
    assert response.status_code == 302, response.content[:2000]
    return ProcedurePage.objects.get(title=title)


def edit_through_admin(client, page, contact_page, title, action):
    data = procedure_form_data(title, page.slug, minimal_procedure_body(contact_page.pk))
    data[action] = action
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.content[:2000]
    return ProcedurePage.objects.get(pk=page.pk)


def test_roles_exist_as_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Editors",
        "Marketing",
        "Clinical reviewers",
        "Front desk",
    }
    assert (
        Group.objects.get(name="Front desk")
        .permissions.filter(codename="view_contactsubmission")
        .exists()
    )
    assert (
        not Group.objects.get(name="Marketing")
        .permissions.filter(codename="view_contactsubmission")
        .exists()
    )


def test_marketing_creates_and_edits_but_cannot_publish(client, index, contact_page):
    log_in(client, "marketing")
    page = create_through_admin(client, index, contact_page, "Sample therapy", publish=True)
    assert not page.live
    assert page.first_published_at is None

    page = edit_through_admin(
        client, page, contact_page, "Sample therapy, revised", "action-publish"
    )
    assert not page.live
    assert page.get_latest_revision().as_object().title == "Sample therapy, revised"
    assert client.get("/procedures/sample-therapy/").status_code == 404


def test_marketing_sees_no_contact_submissions(client, contact_page, submission):
    log_in(client, "marketing")
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert b"Can I park at the clinic?" not in listing.content
    export = client.get(f"/admin/forms/submissions/{contact_page.pk}/?export=csv")
    assert not any("Can I park at the clinic?" in row for row in csv_rows(export))
    forms_index = client.get("/admin/forms/")
    assert b"Contact us" not in forms_index.content


def test_marketing_cannot_change_where_form_mail_goes(client, contact_page):
    log_in(client, "marketing")
    editor = client.get(f"/admin/pages/{contact_page.pk}/edit/")
    assert editor.status_code == 200
    soup = BeautifulSoup(editor.content, "html.parser")
    assert soup.find(attrs={"name": "to_address"}) is None
    assert soup.find(attrs={"name": "from_address"}) is None


def test_front_desk_sees_and_exports_submissions_and_nothing_else(
    client, home_page, contact_page, submission
):
    log_in(client, "frontdesk")
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert listing.status_code == 200
    assert b"Can I park at the clinic?" in listing.content

    rows = csv_rows(client.get(f"/admin/forms/submissions/{contact_page.pk}/?export=csv"))
    assert any("Can I park at the clinic?" in row for row in rows)

    for url in (
        f"/admin/pages/{home_page.pk}/edit/",
        f"/admin/pages/{contact_page.pk}/edit/",
        f"/admin/pages/add/procedures/procedurepage/{ProcedureIndexPage.objects.get().pk}/",
        "/admin/images/",
        "/admin/procedures/reference/",
        TREATMENTS_URL,
        REPORT_URL,
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Can I park" not in response.content


def test_editors_see_submissions_and_publish_other_pages(
    client, home_page, contact_page, submission
):
    log_in(client, "editor")
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert b"Can I park at the clinic?" in listing.content
    assert home_page.permissions_for_user(
        get_user_model().objects.get(username="editor")
    ).can_publish()


def approve_or_reject(client, page, action, comment=""):
    task_state = page.current_workflow_task_state
    assert task_state is not None
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/",
        {"comment": comment},
    )
    assert response.status_code in (200, 302)
    return ProcedurePage.objects.get(pk=page.pk)


def test_a_procedure_goes_live_only_when_a_clinical_reviewer_approves(client, index, contact_page):
    log_in(client, "marketing")
    page = create_through_admin(client, index, contact_page, "Sample therapy")
    page = edit_through_admin(client, page, contact_page, "Sample therapy", "action-submit")
    assert page.workflow_in_progress
    assert page.get_workflow().name == "Clinical review"
    assert not page.live

    # An editor, who may publish other pages, cannot publish this one past the review.
    client.logout()
    log_in(client, "editor")
    editor = get_user_model().objects.get(username="editor")
    assert not page.permissions_for_user(editor).can_publish()
    assert not index.permissions_for_user(editor).can_publish_subpage()

    client.logout()
    log_in(client, "reviewer")
    page = approve_or_reject(client, page, "approve", "Checked against the sources.")
    assert page.live
    assert page.last_reviewed == TODAY
    assert page.reviewed_by == "Dr Riley Reviewer"
    assert page.next_review_due == one_year_after(TODAY)
    live = client.get("/procedures/sample-therapy/")
    assert b"Dr Riley Reviewer" in live.content


def test_a_rejected_procedure_stays_unpublished_and_returns_to_its_author(
    client, index, contact_page
):
    log_in(client, "marketing")
    page = create_through_admin(client, index, contact_page, "Sample therapy")
    page = edit_through_admin(client, page, contact_page, "Sample therapy", "action-submit")
    client.logout()
    log_in(client, "reviewer")
    mail.outbox.clear()
    page = approve_or_reject(client, page, "reject", "The dose claim needs a citation.")

    assert not page.live
    assert page.last_reviewed is None
    state = WorkflowState.objects.get(object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert state.current_task_state.comment == "The dose claim needs a citation."
    to_author = [m for m in mail.outbox if "marketing@clinic.example" in m.to]
    assert to_author, "the author is told"
    assert "The dose claim needs a citation." in to_author[0].body


@pytest.fixture
def treatments(index):
    knee = BodyArea.objects.get(name="Knee")
    back = BodyArea.objects.get(name="Lower back")
    overdue = add_procedure(
        index, "Sample overdue therapy", last_reviewed=TODAY - datetime.timedelta(days=400)
    )
    overdue.body_areas.set([knee])
    overdue.save()
    due_soon = add_procedure(
        index,
        "Sample due-soon therapy",
        last_reviewed=TODAY - datetime.timedelta(days=350),
    )
    due_soon.body_areas.set([back])
    due_soon.save()
    fresh = add_procedure(index, "Sample fresh therapy", last_reviewed=TODAY)
    draft = index.add_child(
        instance=ProcedurePage(title="Sample draft therapy", summary="x", last_reviewed=TODAY)
    )
    draft.unpublish()
    return {"overdue": overdue, "due_soon": due_soon, "fresh": fresh, "draft": draft}


def row_titles(response):
    text = response.content.decode()
    return {title for title in ALL_TITLES if title in text}


ALL_TITLES = {
    "Prolotherapy",
    "Sample overdue therapy",
    "Sample due-soon therapy",
    "Sample fresh therapy",
    "Sample draft therapy",
}


def test_treatments_listing_filters_and_searches(client, treatments):
    log_in(client, "editor")
    everything = client.get(TREATMENTS_URL)
    assert row_titles(everything) == ALL_TITLES
    soup = BeautifulSoup(everything.content, "html.parser")
    overdue_row = soup.find("a", string=lambda s: s and "Sample overdue therapy" in s)
    assert "Overdue" in overdue_row.find_parent("tr").get_text()

    assert row_titles(client.get(TREATMENTS_URL + "?review=overdue")) == {"Sample overdue therapy"}
    assert row_titles(client.get(TREATMENTS_URL + "?review=due_soon")) == {
        "Sample due-soon therapy"
    }
    knee = BodyArea.objects.get(name="Knee")
    assert row_titles(client.get(TREATMENTS_URL + f"?body_areas__id__exact={knee.pk}")) == {
        "Prolotherapy",
        "Sample overdue therapy",
    }
    assert row_titles(client.get(TREATMENTS_URL + "?live__exact=0")) == {"Sample draft therapy"}
    assert row_titles(client.get(TREATMENTS_URL + "?q=fresh")) == {"Sample fresh therapy"}

    rows = csv_rows(client.get(TREATMENTS_URL + "?export=csv&review=overdue"))
    assert len(rows) == 2
    assert rows[1][0] == "Sample overdue therapy"
    assert "Knee" in rows[1]


def test_treatments_add_button_creates_a_page_under_the_procedures_index(client, index):
    log_in(client, "marketing")
    response = client.get(TREATMENTS_URL + "create/", follow=True)
    assert response.redirect_chain[-1][0].startswith(
        f"/admin/pages/add/procedures/procedurepage/{index.pk}/"
    )
    # The new page starts with the standard sections.
    body = response.context["form"]["body"].value()
    assert [block.block_type for block in body] == STANDARD_SECTION_TYPES


def test_treatments_listing_queries_do_not_grow_with_the_number_of_pages(client, index):
    log_in(client, "editor")

    def count_queries():
        client.get(TREATMENTS_URL)  # fills the process-wide caches (content types, permissions)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(TREATMENTS_URL)
        assert response.status_code == 200
        return len(queries)

    knee = BodyArea.objects.get(name="Knee")
    for number in range(9):
        add_procedure(index, f"Sample therapy {number:03d}").body_areas.set([knee])
    with_ten = count_queries()
    for number in range(9, 60):
        add_procedure(index, f"Sample therapy {number:03d}").body_areas.set([knee])
    with_sixty = count_queries()
    assert with_ten == with_sixty


def test_review_report_lists_overdue_and_due_soon_but_not_fresh(client, treatments):
    log_in(client, "reviewer")
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    titles = row_titles(response)
    assert "Sample overdue therapy" in titles
    assert "Sample due-soon therapy" in titles
    assert "Sample fresh therapy" not in titles
    assert "Prolotherapy" not in titles  # reviewed on 1 November 2026, due a year later

    rows = csv_rows(client.get(REPORT_URL + "?export=csv"))
    assert rows[0] == ["Title", "Status", "Last reviewed", "Reviewed by", "Next review due"]
    assert {row[0] for row in rows[1:]} == {"Sample overdue therapy", "Sample due-soon therapy"}


def test_dashboard_lists_overdue_procedures(client, treatments):
    log_in(client, "editor")
    response = client.get("/admin/")
    soup = BeautifulSoup(response.content, "html.parser")
    panel = soup.find(id="overdue-reviews-heading").find_parent("section")
    assert "Sample overdue therapy" in panel.get_text()
    assert "Sample fresh therapy" not in panel.get_text()
    assert "Sample due-soon therapy" not in panel.get_text()


def test_accessibility_checker_stays_on_in_the_editor(client, index):
    log_in(client, "editor")
    page = index.get_children().first()
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find(attrs={"data-side-panel": "checks"}) is not None


def test_home_page_permissions_for_marketing(home_page):
    marketing = get_user_model().objects.get(username="marketing")
    tester = HomePage.objects.get().permissions_for_user(marketing)
    assert tester.can_edit()
    assert not tester.can_publish()
