"""Staff journeys with treatments, in a browser: marketing adds one, a clinical reviewer
approves or sends back, an editor changes a live page, and nothing reaches the live page
before a reviewer has approved it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


NEW_TREATMENT = "Platelet-rich plasma injections"
# The demo's example clinician, whose profile the reviewer's account is linked to.
EXAMPLE_CLINICIAN = "Dr Riley Reviewer (example clinician)"
NEW_SLUG = "platelet-rich-plasma-injections"


# The page editor, as a person uses it.


def section(page, block_label):
    """A section of the page body, found by the block name shown in its header."""
    return page.get_by_role("region", name=re.compile(f"^{re.escape(block_label)}")).first


def list_field(block, name):
    return block.locator(f"[data-contentpath='{name}']").first


def add_list_item(block, name):
    """Press the list's last "Add" button; returns the new item's text inputs."""
    items = list_field(block, name)
    before = items.locator("input[type=text]").count()
    items.get_by_role("button", name="Add").last.click()
    expect(items.locator("input[type=text]")).not_to_have_count(before)
    return items


def choose_practitioner(page, name):
    """Add a practitioner to the "Who does it" section, chosen by name in the page chooser."""
    practitioners = list_field(section(page, "Who does it"), "practitioners")
    practitioners.get_by_role("button", name="Add").last.click()
    practitioners.get_by_role("button", name="Choose a page (Practitioner)").last.click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("link", name=name, exact=True).click()
    expect(chooser).to_be_hidden()
    expect(practitioners).to_contain_text(name)


def type_rich_text(block, text):
    """Type into the block's rich text box, and wait until the box has written the text into
    the form (Draftail does so a moment after the keys, on a timer), as the editor's autosave
    and any button pressed then send it. Until it has, the text shows in the box but not in
    the form, and the box's write-out, arriving later, would start another autosave."""
    editor = block.locator("[contenteditable=true]").first
    editor.click()
    editor.press_sequentially(text)
    expect(editor).to_contain_text(text)
    block.page.wait_for_function(
        """text => {
            const form = document.querySelector("form[data-edit-form]");
            const stored = JSON.stringify(text).slice(1, -1);  // as it reads in the field's JSON
            return [...new FormData(form).values()]
                .some(value => typeof value === "string" && value.includes(stored));
        }""",
        arg=text,
    )


# What Wagtail's autosave still has to do. Its form controller (w-unsaved) compares the form
# with a starting point, which it takes when it starts watching and again after each autosave
# ("watch-edits"); a difference starts an autosave ("w-autosave:save"), whose request waits
# half a second for further saves (the last one is sent) before it goes out. So an editor's
# form holds nothing left to autosave when it matches the starting point, every save asked
# for has gone out, and every request sent has been answered.
AUTOSAVE_WATCH = """
window.autosave = {startingPoint: null, asked: 0, sent: 0, inFlight: 0};
const state = window.autosave;
// The form as w-unsaved compares it, read by w-unsaved itself (Wagtail's Stimulus controllers
// are reached through window.wagtail.app).
window.editorFormData = () => {
    const form = document.querySelector("form[data-edit-form]");
    const watcher = form && window.wagtail.app.getControllerForElementAndIdentifier(
        form, "w-unsaved"
    );
    return watcher ? watcher.formData : null;
};
document.addEventListener("w-unsaved:watch-edits", (event) => {
    state.startingPoint = event.detail.initialFormData;
});
document.addEventListener("w-autosave:save", (event) => {
    if (!event.defaultPrevented) state.asked += 1;
});
const fetchWithoutWatch = window.fetch;
window.fetch = function (resource, init) {
    const isAutosave = init && init.body instanceof FormData
        && init.headers && init.headers.Accept === "application/json"
        && String(init.method).toLowerCase() === "post";
    if (isAutosave) {
        state.sent = state.asked;  // the saves asked for so far go out as this one request
        state.inFlight += 1;
    }
    return fetchWithoutWatch.apply(this, arguments);
};
// Each request ends in one of these, once the form has taken in its answer.
for (const outcome of ["w-autosave:success", "w-autosave:error"]) {
    document.addEventListener(outcome, () => { state.inFlight -= 1; });
}
"""


def watch_autosave(page):
    """Let `wait_for_autosave` know what the editor's autosave still has to do."""
    page.add_init_script(AUTOSAVE_WATCH)


def wait_for_autosave(page):
    """Until the editor has nothing left to autosave and no autosave on its way (its header
    reads "Saved"), so that pressing a button does not race an autosave."""
    page.wait_for_function(
        """() => {
            const {startingPoint, asked, sent, inFlight} = window.autosave;
            return startingPoint !== null && asked === sent && inFlight === 0
                && window.editorFormData() === startingPoint;
        }"""
    )


def submit_to_clinical_review(page):
    """Submit the page for its clinical review, as the editor does once the header reads
    "Saved". Opening "More actions" takes the focus out of the field last typed in, which
    may change the form (a rich text field writes its content out on leaving it): its
    autosave finishes before the submit, so that it cannot arrive after the submitted
    revision and be refused as out of date."""
    wait_for_autosave(page)
    page.get_by_role("button", name="More actions").click()
    wait_for_autosave(page)
    page.get_by_role("button", name="Submit to Clinical review").click()
    # "created and submitted" for a new page, "has been submitted" once autosave created it.
    expect(page.get_by_role("status")).to_contain_text(re.compile("submitted for moderation"))


def open_treatments_add(page):
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Treatments").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Treatments")
    page.get_by_role("link", name=re.compile("^Add")).first.click()
    expect(page.get_by_role("textbox", name="Title*")).to_be_visible()


def assert_every_widget_rendered(page):
    expect(page.get_by_text("This widget failed to render")).to_have_count(0)
    filled_with_undefined = page.locator("input, textarea").evaluate_all(
        "fields => fields.filter(f => f.value === 'undefined').map(f => f.name)"
    )
    assert filled_with_undefined == []
    # Every rich text box is a working Draftail editor.
    descriptions = page.get_by_role("region", name=re.compile("^Description"))
    expect(descriptions).not_to_have_count(0)
    for index in range(descriptions.count()):
        expect(descriptions.nth(index).locator("[contenteditable=true]")).to_have_count(1)


def test_marketing_adds_a_treatment_and_submits_it_for_review(site, staff_browser):
    from procedures.models import ProcedurePage, Reference

    page = staff_browser("marketing")
    watch_autosave(page)
    open_treatments_add(page)
    assert_every_widget_rendered(page)

    page.get_by_role("textbox", name="Title*").fill(NEW_TREATMENT)
    page.get_by_role("textbox", name="Summary*").fill(
        "Injections of a concentrate made from your own blood, for tendon and joint pain."
    )
    descriptions = page.get_by_role("region", name=re.compile("^Description"))
    type_rich_text(descriptions.nth(0), "Blood is taken from your arm and spun to concentrate it.")
    type_rich_text(descriptions.nth(1), "The concentrate is injected under ultrasound guidance.")

    evidence = section(page, "Evidence")
    evidence.get_by_label("Statement").fill("The evidence for tendon pain is mixed.")
    evidence.get_by_label("Conclusion").fill("A review found a small benefit for elbow pain.")
    evidence.get_by_role("button", name=re.compile("^Choose (a )?reference$")).click()
    chooser = page.get_by_role("dialog")
    chooser.get_by_role("tab", name="Create").click()
    chooser.get_by_label("Authors").fill("Example A, Sample B")
    chooser.get_by_label("Title").fill("Platelet-rich plasma for lateral epicondylitis")
    chooser.get_by_label("Journal").fill("J Example Med")
    chooser.get_by_label("Year").fill("2020")
    chooser.get_by_label("DOI").fill("10.1000/example.2020.1")
    chooser.get_by_role("button", name="Create").click()
    expect(chooser).to_be_hidden()
    expect(evidence).to_contain_text("Platelet-rich plasma for lateral epicondylitis")

    schedule = section(page, "Treatment schedule")
    schedule.get_by_label("Every (weeks, at least)").fill("4")
    schedule.get_by_label("Sessions (at least)").fill("1")
    schedule.get_by_label("to (sessions, at most)").fill("3")

    contraindications = section(page, "Contraindications")
    absolute = add_list_item(contraindications, "absolute")
    absolute.locator("input[type=text]").last.fill("Infection at the injection site")

    side_effects = section(page, "Side effects")
    items = add_list_item(side_effects, "items")
    items.get_by_label("Effect").last.fill("Pain at the injection site")
    items.get_by_label("Note").last.fill("for a few days")

    risks = section(page, "Risks")
    risk = add_list_item(risks, "items")
    risk.locator("input[type=text]").last.fill("Infection")

    # The patient's path: preparing, recovery, alternatives, when to get help, questions.
    steps = add_list_item(section(page, "How to prepare"), "steps")
    steps.get_by_label("Step").last.fill("Bring a list of the medicines you take")
    section(page, "Recovery and aftercare").get_by_label("How long recovery takes").fill(
        "A few days."
    )
    alternatives = add_list_item(section(page, "Alternatives"), "items")
    alternatives.get_by_label("Or another treatment").last.fill("Physiotherapy")
    alternatives.get_by_label("Note").last.fill("Exercises with a therapist.")
    emergency = add_list_item(section(page, "When to get help"), "emergency")
    emergency.locator("input[type=text]").last.fill("You have difficulty breathing")
    questions = add_list_item(section(page, "Questions patients ask"), "items")
    questions.get_by_label("Question").last.fill("Will it hurt?")
    type_rich_text(questions, "You may feel some pressure.")
    choose_practitioner(page, EXAMPLE_CLINICIAN)

    wait_for_autosave(page)
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status").filter(has_text=NEW_TREATMENT)).to_be_visible()
    treatment = ProcedurePage.objects.get(slug=NEW_SLUG)
    reference = Reference.objects.get(title="Platelet-rich plasma for lateral epicondylitis")

    submit_to_clinical_review(page)

    treatment.refresh_from_db()
    assert not treatment.live
    assert treatment.workflow_in_progress
    draft = treatment.get_latest_revision_as_object()
    assert draft.cited_references == [reference]
    [who_does_it] = draft.blocks_of_type("who_does_it")
    assert [practitioner.title for practitioner in who_does_it["practitioners"]] == [
        EXAMPLE_CLINICIAN
    ]
    [side_effect] = draft.blocks_of_type("side_effects")
    assert [(item["effect"], item["note"]) for item in side_effect["items"]] == [
        ("Pain at the injection site", "for a few days")
    ]
    [step] = draft.blocks_of_type("preparation")[0]["steps"]
    assert step.text == "Bring a list of the medicines you take"
    [alternative] = draft.blocks_of_type("alternatives")[0]["items"]
    assert (alternative.title, alternative["note"]) == (
        "Physiotherapy",
        "Exercises with a therapist.",
    )
    assert list(draft.blocks_of_type("urgent_help")[0]["emergency"]) == [
        "You have difficulty breathing"
    ]
    [question] = draft.blocks_of_type("questions")[0]["items"]
    assert "You may feel some pressure." in str(question["answer"])

    # Nobody outside the admin can read it yet.
    response = page.request.get(f"{site}/procedures/{NEW_SLUG}/")
    assert response.status == 404
    page.goto(f"{site}/procedures/")
    expect(page.get_by_role("main")).not_to_contain_text(NEW_TREATMENT)


# Clinical review.

REVIEWER_NAME = "Dr Riley Reviewer"
REVIEWER_PROFILE = f"{EXAMPLE_CLINICIAN}, pain consultant"


def user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def submit_for_review(page, username):
    """What pressing "Submit to Clinical review" does, for a change made by `username`."""
    page.save_revision(user=user(username))
    page.get_workflow().start(page, user(username))


def prolotherapy():
    from procedures.models import ProcedurePage

    return ProcedurePage.objects.get(slug="prolotherapy")


def new_treatment_submitted_by(username):
    """A new treatment (never live), written by `username` and submitted for review."""
    from procedures.models import ProcedureIndexPage, ProcedurePage

    treatment = ProcedurePage(
        title=NEW_TREATMENT,
        slug=NEW_SLUG,
        summary="Injections of a concentrate made from your own blood.",
        body=prolotherapy().body.raw_data,
        live=False,
        owner=user(username),
    )
    ProcedureIndexPage.objects.get().add_child(instance=treatment)
    submit_for_review(treatment, username)
    return treatment


def review_row(page, title):
    """The row of the dashboard's "Awaiting your review" panel for the page `title`."""
    panel = page.get_by_role("region", name="Awaiting your review")
    return panel.get_by_role("row").filter(has=page.get_by_role("link", name=title, exact=True))


def review_action(page, title, action):
    row = review_row(page, title)
    row.get_by_role("button", name="Actions").click()
    return row.get_by_role("button", name=action, exact=True).or_(
        row.get_by_role("link", name=action, exact=True)
    )


def read_as_a_patient(site, new_context, path):
    """The public page as someone who is not logged in reads it."""
    page = new_context().new_page()
    page.goto(site + path)
    return page


def test_reviewer_approves_from_the_dashboard_and_sends_another_back(
    site, staff_browser, new_context
):
    from django.utils import timezone

    old_summary = prolotherapy().summary
    changed = prolotherapy()
    changed.summary = "Injections that may ease long-standing knee and back pain."
    submit_for_review(changed, "marketing")
    treatment = new_treatment_submitted_by("marketing")

    page = staff_browser("reviewer")
    expect(review_row(page, "Prolotherapy")).to_contain_text("Max Marketing")
    expect(review_row(page, NEW_TREATMENT)).to_be_visible()

    # The reviewer compares the change with what patients read now.
    review_action(page, "Prolotherapy", "Compare with live version").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prolotherapy")
    comparison = page.get_by_role("main")
    expect(comparison.locator(".addition")).to_contain_text(["long-standing knee and back pain"])
    expect(comparison.locator(".deletion")).to_contain_text(["concentrated dextrose"])
    expect(comparison).to_contain_text(old_summary)
    page.go_back()

    review_action(page, "Prolotherapy", "Approve").click()
    expect(review_row(page, "Prolotherapy")).to_have_count(0)

    live = prolotherapy()
    assert live.summary == changed.summary
    assert not live.has_unpublished_changes
    assert (live.last_reviewed, live.reviewed_by) == (timezone.localdate(), REVIEWER_PROFILE)
    reader = read_as_a_patient(site, new_context, "/procedures/prolotherapy/")
    expect(reader.locator(".review-info")).to_contain_text(f"by {REVIEWER_PROFILE}")
    reader.goto(site + "/procedures/")
    expect(reader.get_by_role("main")).to_contain_text(changed.summary)

    # The new treatment goes back to its author with a comment.
    review_action(page, NEW_TREATMENT, "Request changes").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox", name="Comment").fill("Please cite a second study.")
    dialog.get_by_role("button", name="Request changes").click()
    expect(review_row(page, NEW_TREATMENT)).to_have_count(0)
    treatment.refresh_from_db()
    assert not treatment.live
    assert treatment.current_workflow_state.status == "needs_changes"

    # Its author finds it on their dashboard and reads the comment.
    author = staff_browser("marketing")
    mine = author.get_by_role("region", name=re.compile("^Your pages"))
    row = mine.get_by_role("row").filter(has_text=NEW_TREATMENT)
    expect(row).to_contain_text("Changes requested")
    row.get_by_role("link", name=NEW_TREATMENT).click()
    author.get_by_role("button", name="Toggle status").click()
    author.get_by_role("button", name=re.compile("^View details")).click()
    status = author.get_by_role("dialog", name="Clinical review")
    expect(status).to_contain_text(f"Changes requested by {REVIEWER_NAME}")
    expect(status).to_contain_text("Please cite a second study.")


def test_an_editors_change_to_a_live_page_shows_only_after_approval(
    site, staff_browser, new_context
):
    page = staff_browser("editor")
    watch_autosave(page)
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Treatments").click()
    page.get_by_role("link", name="Prolotherapy", exact=True).click()
    side_effects = section(page, "Side effects")
    items = add_list_item(side_effects, "items")
    items.get_by_label("Effect").last.fill("Stiffness in the treated joint")
    items.get_by_label("Note").last.fill("for a day or two")
    submit_to_clinical_review(page)

    # Patients still read the reviewed page.
    reader = read_as_a_patient(site, new_context, "/procedures/prolotherapy/")
    expect(reader.get_by_role("heading", name="Side effects of prolotherapy")).to_be_visible()
    expect(reader.get_by_role("main")).not_to_contain_text("Stiffness in the treated joint")
    assert prolotherapy().has_unpublished_changes

    reviewer = staff_browser("reviewer")
    review_action(reviewer, "Prolotherapy", "Approve").click()
    expect(review_row(reviewer, "Prolotherapy")).to_have_count(0)

    reader.reload()
    side_effects_list = reader.locator("section").filter(
        has=reader.get_by_role("heading", name="Side effects of prolotherapy")
    )
    expect(side_effects_list).to_contain_text("Stiffness in the treated joint")
    expect(side_effects_list).to_contain_text("for a day or two")


def test_marketing_cannot_change_a_reference_that_a_live_page_cites(
    site, staff_browser, new_context
):
    from procedures.models import Reference

    cited = prolotherapy().cited_references[0]
    page = staff_browser("marketing")
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("button", name="Clinic content").click()
    menu.get_by_role("link", name="References").click()
    listing = page.get_by_role("main")
    expect(listing).to_contain_text(cited.title)

    # The reference opens for reading only: nothing to type into, nothing to save.
    listing.get_by_role("link", name=re.compile(re.escape(cited.authors))).first.click()
    expect(page.get_by_role("main")).to_contain_text(cited.title)
    expect(page.get_by_role("textbox", name=re.compile("^Title"))).to_have_count(0)
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    # Its edit form, asked for by address, is refused.
    page.goto(f"{site}/admin/snippets/procedures/reference/edit/{cited.pk}/")
    expect(
        page.get_by_text("Sorry, you do not have permission to access this area")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile("^Title"))).to_have_count(0)

    # So the live page cites it as reviewed.
    assert Reference.objects.get(pk=cited.pk).title == cited.title
    reader = read_as_a_patient(site, new_context, "/procedures/prolotherapy/")
    expect(reader.get_by_role("main")).to_contain_text(cited.title)
