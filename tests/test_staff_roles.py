"""Editors, marketing, clinical reviewers and the front desk, each logged in as themselves."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.models import TaskState, Workflow, WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from clinical_review.models import ClinicalReviewTask, one_year_after
from forms.models import ContactFormPage
from home.demo import staff_password
from procedures.models import BodyArea, ProcedureIndexPage, ProcedurePage
from tests.admin_forms import STANDARD_SECTION_TYPES, minimal_procedure_body, procedure_form_data

TREATMENTS_URL = "/admin/procedures/procedurepage/"
REPORT_URL = "/admin/reports/procedures-due-for-review/"


def csv_rows(response):
    """The rows of a CSV export (Wagtail streams its exports)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def log_in(client, username):
    assert client.login(username=username, password=staff_password(username))


def days_from_today(days):
    return timezone.localdate() + datetime.timedelta(days=days)


# The demo reviewer's practitioner profile, as a review records it.
REVIEWER = "Dr Riley Reviewer (example clinician), pain consultant"

REFUSED = "Sorry, you do not have permission to access this area."


def assert_refused(client, url):
    """The admin refuses `url` as it does for a person: back to the dashboard, with its message."""
    response = client.get(url, follow=True)
    assert response.redirect_chain == [("/admin/", 302)], url
    assert REFUSED in [str(message).strip() for message in response.context["messages"]], url
    return response


def menu_items(response):
    """{name: url} of the admin menu's links, as the sidebar script receives them."""
    props = json.loads(
        BeautifulSoup(response.content, "html.parser").find(id="wagtail-sidebar-props").string
    )
    items = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("name"), str) and "url" in node:
                items[node["name"]] = node["url"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(props)
    return items


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
    dashboard = client.get("/admin/")
    menu = menu_items(dashboard)
    assert menu["treatments"] == TREATMENTS_URL  # marketing's own work is there
    assert "forms" not in menu

    for url in (
        f"/admin/forms/submissions/{contact_page.pk}/",
        f"/admin/forms/submissions/{contact_page.pk}/?export=csv",
        "/admin/forms/",
    ):
        refused = assert_refused(client, url)
        assert b"Can I park at the clinic?" not in refused.content


def test_marketing_cannot_change_where_form_mail_goes(client, contact_page):
    log_in(client, "marketing")
    editor = client.get(f"/admin/pages/{contact_page.pk}/edit/")
    assert editor.status_code == 200
    soup = BeautifulSoup(editor.content, "html.parser")
    assert soup.find(attrs={"name": "to_address"}) is None
    assert soup.find(attrs={"name": "from_address"}) is None


def test_front_desk_goes_from_its_menu_to_the_messages_and_exports_them(
    client, contact_page, submission
):
    log_in(client, "frontdesk")
    menu = menu_items(client.get("/admin/"))
    assert set(menu) & {"forms", "treatments", "explorer", "images", "reports"} == {"forms"}

    listing = client.get(menu["forms"], follow=True)
    assert listing.redirect_chain[-1][0] == f"/admin/forms/submissions/{contact_page.pk}/"
    soup = BeautifulSoup(listing.content, "html.parser")
    row = soup.find("td", string=lambda s: s and "Can I park at the clinic?" in s).find_parent("tr")
    assert "pat@example.org" in row.get_text()
    export_link = soup.find("a", href=lambda href: href and "export=csv" in href)
    assert "Download CSV" in export_link.get_text()

    rows = csv_rows(client.get(export_link["href"]))
    assert rows[1][1:4] == ["Pat Patient", "pat@example.org", ""]
    assert "Can I park at the clinic?" in rows[1]


def test_front_desk_cannot_delete_messages(client, contact_page, submission):
    log_in(client, "frontdesk")
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    soup = BeautifulSoup(listing.content, "html.parser")
    assert soup.find("td", string=lambda s: s and "Can I park at the clinic?" in s)
    assert soup.find(attrs={"name": "selected-submissions"}) is None
    assert "Delete selected submissions" not in soup.get_text()

    delete_url = (
        f"/admin/forms/submissions/{contact_page.pk}/delete/?selected-submissions={submission.pk}"
    )
    assert_refused(client, delete_url)
    response = client.post(delete_url, follow=True)
    assert REFUSED in [str(message).strip() for message in response.context["messages"]]
    assert type(submission).objects.filter(pk=submission.pk).exists()


def test_editors_may_delete_messages(client, contact_page, submission):
    log_in(client, "editor")
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    soup = BeautifulSoup(listing.content, "html.parser")
    assert soup.find(attrs={"name": "selected-submissions", "value": str(submission.pk)})

    response = client.post(
        f"/admin/forms/submissions/{contact_page.pk}/delete/?selected-submissions={submission.pk}"
    )
    assert response.status_code == 302
    assert not type(submission).objects.filter(pk=submission.pk).exists()


def test_front_desk_sees_nothing_else(client, home_page, contact_page, submission):
    log_in(client, "frontdesk")
    for url in (
        f"/admin/pages/{home_page.pk}/edit/",
        f"/admin/pages/{contact_page.pk}/edit/",
        f"/admin/pages/add/procedures/procedurepage/{ProcedureIndexPage.objects.get().pk}/",
        "/admin/images/",
        "/admin/snippets/procedures/reference/",
        TREATMENTS_URL,
        REPORT_URL,
    ):
        # Back to the dashboard, which lists the newest messages: front desk may read them.
        refused = assert_refused(client, url)
        assert messages_panel(refused) is not None


def messages_panel(response):
    heading = BeautifulSoup(response.content, "html.parser").find(id="newest-messages-heading")
    return heading and heading.find_parent("section")


@pytest.mark.parametrize("username", ["frontdesk", "editor"])
def test_the_dashboard_shows_the_newest_messages_to_those_who_answer_them(
    client, contact_page, username
):
    received = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))
    for day in range(7):
        message = contact_page.get_submission_class().objects.create(
            page=contact_page,
            form_data={"name": f"Patient {day}", "message": f"Question number {day}"},
        )
        message.submit_time = received + datetime.timedelta(days=day)
        message.save(update_fields=["submit_time"])
    contact_page.get_submission_class().objects.create(
        page=contact_page,
        form_data={"name": "<b>Sam</b>", "message": "<script>alert(1)</script> " + "x" * 200},
    )
    log_in(client, username)
    panel = messages_panel(client.get("/admin/"))

    rows = [
        [" ".join(td.get_text().split()) for td in tr.find_all("td")] for tr in panel.tbody("tr")
    ]
    assert [row[1] for row in rows] == [
        "<b>Sam</b>",
        "Patient 6",
        "Patient 5",
        "Patient 4",
        "Patient 3",
    ]
    assert rows[1] == ["26 Nov 2026, 09:00", "Patient 6", "Question number 6"]
    assert rows[0][2].startswith("<script>alert(1)</script> xxx") and len(rows[0][2]) <= 90
    assert panel.find("script") is None and panel.find("b") is None
    submissions = f"/admin/forms/submissions/{contact_page.pk}/"
    assert {a["href"] for a in panel.tbody("a")} == {submissions}
    assert panel.find("a", string="All contact messages")["href"] == "/admin/forms/"


def test_the_dashboard_shows_no_messages_to_marketing(client, contact_page, submission):
    log_in(client, "marketing")
    dashboard = client.get("/admin/")
    assert messages_panel(dashboard) is None
    assert b"Can I park" not in dashboard.content


def edit_home_page(client, home_page, introduction, action):
    data = nested_form_data(
        {
            "title": home_page.title,
            "slug": home_page.slug,
            "introduction": introduction,
            "body": rich_text(home_page.body),
            "featured_treatments": inline_formset(
                [
                    {"id": item.pk, "procedure": item.procedure_id}
                    for item in home_page.featured_treatments.all()
                ],
                initial=home_page.featured_treatments.count(),
            ),
        }
    )
    data[action] = action
    response = client.post(f"/admin/pages/{home_page.pk}/edit/", data)
    assert response.status_code == 302, response.content[:2000]


def test_editors_see_submissions_and_publish_other_pages(
    client, home_page, contact_page, submission
):
    log_in(client, "editor")
    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert b"Can I park at the clinic?" in listing.content

    edit_home_page(client, home_page, "Open on Saturdays from May.", "action-publish")
    assert b"Open on Saturdays from May." in client.get("/").content


def test_marketing_cannot_publish_the_home_page(client, home_page):
    log_in(client, "marketing")
    edit_home_page(client, home_page, "Now open on Sundays.", "action-publish")
    home_page.refresh_from_db()
    assert home_page.get_latest_revision().as_object().introduction == "Now open on Sundays."
    assert home_page.has_unpublished_changes
    assert b"Now open on Sundays." not in client.get("/").content


def bulk_publish(client, page, include_descendants=False):
    """Wagtail's bulk "Publish" action, confirmed, as the page explorer posts it."""
    data = {"include_descendants": "on"} if include_descendants else {}
    response = client.post(f"/admin/bulk/wagtailcore/page/publish/?id={page.pk}", data)
    assert response.status_code in (200, 302)
    return response


def approve_or_reject(client, page, action, comment=""):
    task_state = page.current_workflow_task_state
    assert task_state is not None
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/{action}/{task_state.pk}/",
        {"comment": comment},
    )
    assert response.status_code == 302
    assert "/login/" not in response["Location"]
    return type(page).objects.get(pk=page.pk)


def test_a_procedure_goes_live_only_when_a_clinical_reviewer_approves(client, index, contact_page):
    log_in(client, "marketing")
    page = create_through_admin(client, index, contact_page, "Sample therapy")

    # An editor, who may publish other pages, cannot publish this one past the review: not
    # with the editor's Publish button, nor with bulk publishing (of it, or of its parent
    # with its drafts), nor by adding a new procedure with Publish.
    client.logout()
    log_in(client, "editor")
    page = edit_through_admin(client, page, contact_page, "Sample therapy", "action-publish")
    assert page.get_latest_revision().user.username == "editor"
    assert not page.live
    bulk_publish(client, page)
    bulk_publish(client, index, include_descendants=True)
    page.refresh_from_db()
    assert not page.live
    create_through_admin(client, index, contact_page, "Sample editor therapy", publish=True)
    assert not ProcedurePage.objects.get(title="Sample editor therapy").live
    assert client.get("/procedures/sample-therapy/").status_code == 404

    client.logout()
    log_in(client, "marketing")
    page = edit_through_admin(client, page, contact_page, "Sample therapy", "action-submit")
    assert page.workflow_in_progress
    assert page.get_workflow().name == "Clinical review"
    assert not page.live

    client.logout()
    log_in(client, "reviewer")
    page = approve_or_reject(client, page, "approve", "Checked against the sources.")
    assert page.live
    assert page.last_reviewed == timezone.localdate()
    # The reviewer's account is linked to their practitioner profile: the review names it.
    assert page.reviewed_by == REVIEWER
    assert page.reviewed_by_practitioner.user.username == "reviewer"
    assert page.next_review_due == one_year_after(timezone.localdate())
    live = client.get("/procedures/sample-therapy/")
    assert b'Reviewed by <a href="/clinicians/example-clinician/">' in live.content


def submitted_for_review(client, index, contact_page, title="Sample therapy"):
    log_in(client, "marketing")
    page = create_through_admin(client, index, contact_page, title)
    page = edit_through_admin(client, page, contact_page, title, "action-submit")
    client.logout()
    return page


def test_the_clinical_review_is_a_task_of_its_own_for_the_reviewers(db):
    workflow = Workflow.objects.get(name="Clinical review")
    [task] = workflow.tasks.specific()
    assert isinstance(task, ClinicalReviewTask)
    assert [group.name for group in task.groups.all()] == ["Clinical reviewers"]
    reviewers = Group.objects.get(name="Clinical reviewers")
    assert reviewers.permissions.filter(codename="approve_clinical_content").exists()
    assert not Group.objects.filter(
        permissions__codename="approve_clinical_content", name__in=["Editors", "Marketing"]
    ).exists()


def action_buttons(response):
    soup = BeautifulSoup(response.content, "html.parser")
    footer = soup.find("footer")
    return {" ".join(button.get_text().split()) for button in footer.find_all("button")}


def test_the_reviewer_is_offered_approve_not_publish(client, index, contact_page):
    page = submitted_for_review(client, index, contact_page)
    log_in(client, "reviewer")
    buttons = action_buttons(client.get(f"/admin/pages/{page.pk}/edit/"))
    assert {"Approve and Publish", "Request changes"} <= buttons
    assert "Publish" not in buttons


def test_the_review_is_recorded_in_the_live_revision_on_the_clinics_date(
    client, index, contact_page, settings
):
    settings.TIME_ZONE = "Europe/London"
    page = submitted_for_review(client, index, contact_page)
    # 23:30 in UTC is already the next day in London (summer time).
    with time_machine.travel(datetime.datetime(2027, 6, 30, 23, 30, tzinfo=datetime.UTC)):
        log_in(client, "reviewer")
        page = approve_or_reject(client, page, "approve")
    assert page.live
    assert page.last_reviewed == datetime.date(2027, 7, 1)
    assert page.next_review_due == datetime.date(2028, 7, 1)
    live_revision = page.live_revision
    assert live_revision == page.get_latest_revision()
    assert live_revision.user.username == "reviewer"
    assert live_revision.as_object().reviewed_by == REVIEWER


def test_a_review_on_29_february_is_due_on_28_february(client, index, contact_page):
    page = submitted_for_review(client, index, contact_page)
    with time_machine.travel(datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)):
        log_in(client, "reviewer")
        page = approve_or_reject(client, page, "approve")
    assert (page.last_reviewed, page.next_review_due) == (
        datetime.date(2028, 2, 29),
        datetime.date(2029, 2, 28),
    )


def test_renaming_the_reviewers_group_changes_nothing(client, index, contact_page, treatments):
    Group.objects.filter(name="Clinical reviewers").update(name="Clinicians")
    page = submitted_for_review(client, index, contact_page)
    log_in(client, "reviewer")
    assert set(review_cells(client.get(REPORT_URL), "Next review due")) == DUE_FOR_REVIEW
    page = approve_or_reject(client, page, "approve")
    assert page.live
    assert page.reviewed_by == REVIEWER


def test_an_editors_approval_in_another_workflow_neither_publishes_nor_records_a_review(
    client, index, contact_page
):
    """Editors approve marketing's other pages (Wagtail's "Moderators approval"): were a
    procedure page under that workflow, an editor's approval must not publish it."""
    WorkflowPage.objects.filter(page=index).update(
        workflow=Workflow.objects.get(name="Moderators approval")
    )
    page = submitted_for_review(client, index, contact_page)
    assert page.get_workflow().name == "Moderators approval"
    log_in(client, "editor")
    task_state = page.current_workflow_task_state
    response = client.post(
        f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/", {"comment": ""}
    )
    assert response.status_code == 302
    page = ProcedurePage.objects.get(pk=page.pk)
    assert not page.live
    assert page.last_reviewed is None
    assert page.current_workflow_task_state.status == TaskState.STATUS_IN_PROGRESS


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


def review_demo_page_lately():
    """The demo page's review date is fixed; make it recent, whatever today is."""
    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    prolotherapy.record_review("Sample reviewer", day=days_from_today(-20))
    prolotherapy.save_revision().publish()


@pytest.fixture
def treatments(index):
    """Procedure pages in each review state, dated from today; the demo page reviewed lately."""
    knee = BodyArea.objects.get(name="Knee")
    back = BodyArea.objects.get(name="Lower back")
    review_demo_page_lately()
    overdue = add_procedure(
        index,
        "Sample overdue therapy",
        last_reviewed=days_from_today(-400),
        reviewed_by="Dr Old Review",
    )
    overdue.body_areas.set([knee])
    overdue.save()
    due_soon = add_procedure(index, "Sample due-soon therapy", last_reviewed=days_from_today(-350))
    due_soon.body_areas.set([back])
    due_soon.save()
    fresh = add_procedure(index, "Sample fresh therapy", last_reviewed=timezone.localdate())
    unreviewed = add_procedure(index, "Sample unreviewed therapy")
    draft = index.add_child(
        instance=ProcedurePage(
            title="Sample draft therapy",
            summary="x",
            live=False,
            last_reviewed=days_from_today(-400),
        )
    )
    never = index.add_child(
        instance=ProcedurePage(title="Sample never-reviewed draft", summary="x", live=False)
    )
    return {
        "overdue": overdue,
        "due_soon": due_soon,
        "fresh": fresh,
        "unreviewed": unreviewed,
        "draft": draft,
        "never": never,
    }


def row_titles(response):
    text = response.content.decode()
    return {title for title in ALL_TITLES if title in text}


ALL_TITLES = {
    "Prolotherapy",
    "Sample overdue therapy",
    "Sample due-soon therapy",
    "Sample fresh therapy",
    "Sample unreviewed therapy",
    "Sample draft therapy",
    "Sample never-reviewed draft",
}


def review_cells(response, column):
    """{title: text of the row's cell in `column`} of a listing table."""
    soup = BeautifulSoup(response.content, "html.parser")
    table = soup.find("table", class_="listing")
    headings = [" ".join(th.get_text().split()) for th in table.find("thead").find_all("th")]
    index = headings.index(column)
    cells = {}
    for row in table.find("tbody").find_all("tr"):
        texts = [" ".join(td.get_text().split()) for td in row.find_all("td")]
        title = next(title for title in ALL_TITLES if title in texts[0])
        cells[title] = texts[index]
    return cells


def test_treatments_listing_shows_each_review_status(client, treatments):
    log_in(client, "editor")
    due = review_cells(client.get(TREATMENTS_URL), "Next review due")
    assert due["Sample overdue therapy"].endswith("Overdue")
    assert due["Sample due-soon therapy"].endswith("Due soon")
    assert due["Sample unreviewed therapy"] == "Not reviewed yet"
    assert due["Sample never-reviewed draft"] == "Not reviewed yet"
    # A draft past its date is not live, so not overdue.
    assert "Overdue" not in due["Sample draft therapy"]
    assert due["Sample fresh therapy"] == date_format(one_year_after(timezone.localdate()))
    assert not any("Never" in text for text in due.values())


def test_treatments_listing_filters_and_searches(client, treatments):
    log_in(client, "editor")
    everything = client.get(TREATMENTS_URL)
    assert row_titles(everything) == ALL_TITLES

    assert row_titles(client.get(TREATMENTS_URL + "?review=overdue")) == {"Sample overdue therapy"}
    assert row_titles(client.get(TREATMENTS_URL + "?review=due_soon")) == {
        "Sample due-soon therapy"
    }
    assert row_titles(client.get(TREATMENTS_URL + "?review=not_reviewed")) == {
        "Sample unreviewed therapy",
        "Sample never-reviewed draft",
    }
    knee = BodyArea.objects.get(name="Knee")
    assert row_titles(client.get(TREATMENTS_URL + f"?body_areas__id__exact={knee.pk}")) == {
        "Prolotherapy",
        "Sample overdue therapy",
    }
    assert row_titles(client.get(TREATMENTS_URL + "?live__exact=0")) == {
        "Sample draft therapy",
        "Sample never-reviewed draft",
    }
    assert row_titles(client.get(TREATMENTS_URL + "?q=fresh")) == {"Sample fresh therapy"}

    rows = csv_rows(client.get(TREATMENTS_URL + "?export=csv&review=overdue"))
    assert len(rows) == 2
    assert rows[0][-1] == "Review Status"
    assert rows[1][0] == "Sample overdue therapy"
    assert rows[1][-1] == "Overdue"
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


DUE_FOR_REVIEW = {"Sample overdue therapy", "Sample due-soon therapy", "Sample unreviewed therapy"}


@pytest.mark.parametrize("username", ["reviewer", "editor", "marketing"])
def test_review_report_lists_live_pages_due_for_review(client, treatments, username):
    log_in(client, username)
    assert menu_items(client.get("/admin/"))["procedures-due-for-review"] == REPORT_URL
    response = client.get(REPORT_URL)
    # One name for staff: the report speaks of treatments, as the menu does.
    title = BeautifulSoup(response.content, "html.parser").find("h1").get_text(" ", strip=True)
    assert title == "Treatments due for review"
    due = review_cells(response, "Next review due")
    assert set(due) == DUE_FOR_REVIEW
    assert due["Sample overdue therapy"].endswith("Overdue")
    assert due["Sample due-soon therapy"].endswith("Due soon")
    assert due["Sample unreviewed therapy"] == "Not reviewed yet"

    rows = csv_rows(client.get(REPORT_URL + "?export=csv"))
    assert rows[0] == ["Title", "Status", "Last reviewed", "Reviewed by", "Next review due"]
    assert {row[0] for row in rows[1:]} == DUE_FOR_REVIEW


def overdue_panel(response):
    heading = BeautifulSoup(response.content, "html.parser").find(id="overdue-reviews-heading")
    return heading and heading.find_parent("section")


@pytest.mark.parametrize("username", ["reviewer", "editor"])
def test_dashboard_lists_overdue_procedures(client, treatments, username):
    log_in(client, username)
    panel = overdue_panel(client.get("/admin/"))
    rows = [" ".join(row.get_text().split()) for row in panel.find("tbody").find_all("tr")]
    assert len(rows) == 1
    assert rows[0].startswith("Sample overdue therapy")
    assert "Overdue" in rows[0]
    assert "Dr Old Review" in rows[0]
    assert panel.find("a", href=REPORT_URL).get_text(strip=True) == "All treatments due for review"
    heading = panel.find(id="overdue-reviews-heading").get_text(" ", strip=True)
    assert heading == "Treatments overdue for medical review"


def test_front_desk_sees_no_review_report_or_panel(client, treatments):
    log_in(client, "frontdesk")
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "Frankie" in dashboard.content.decode()
    assert overdue_panel(dashboard) is None
    assert "procedures-due-for-review" not in menu_items(dashboard)
    assert_refused(client, REPORT_URL)
    assert_refused(client, REPORT_URL + "?export=csv")


def test_dashboard_has_no_panel_when_nothing_is_overdue(client, index):
    review_demo_page_lately()
    log_in(client, "reviewer")
    assert overdue_panel(client.get("/admin/")) is None


@pytest.mark.parametrize(
    "day, due",
    [
        (datetime.date(2028, 2, 29), datetime.date(2029, 2, 28)),
        (datetime.date(2027, 2, 28), datetime.date(2028, 2, 28)),
        (datetime.date(2027, 3, 1), datetime.date(2028, 3, 1)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 12, 31)),
    ],
)
def test_one_year_after(day, due):
    assert one_year_after(day) == due


def test_accessibility_checker_stays_on_in_the_editor(client, index):
    log_in(client, "editor")
    page = index.get_children().first()
    response = client.get(f"/admin/pages/{page.pk}/edit/")
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find(attrs={"data-side-panel": "checks"}) is not None
