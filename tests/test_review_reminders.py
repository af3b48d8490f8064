"""`send_review_reminders`: each treatment's owner and the clinical reviewers hear, once a week,
which treatments' medical review is overdue or due soon, through a real mail server."""

import datetime
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from clinical_review.models import ReviewReminder
from procedures.models import ProcedureIndexPage, ProcedurePage
from tests.smtp import SMTPServer, refused_port, use_smtp_server

# A Friday morning in London; every date below is relative to it.
NOW = datetime.datetime(2026, 11, 27, 9, 0, tzinfo=datetime.UTC)
ADMIN = "https://admin.clinic.example"


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    use_smtp_server(settings, server)
    settings.WAGTAILADMIN_BASE_URL = ADMIN
    yield server
    server.stop()


def user(username, email="", group=None, **fields):
    account = get_user_model().objects.create_user(username, email=email, **fields)
    if group:
        account.groups.add(Group.objects.get(name=group))
    return account


def treatment(title, owner=None, last_reviewed=None, next_review_due=None, live=True):
    page = ProcedureIndexPage.objects.get().add_child(
        instance=ProcedurePage(
            title=title,
            summary=f"{title}, for testing reminders.",
            body=[],
            owner=owner,
            last_reviewed=last_reviewed,
            next_review_due=next_review_due,
        )
    )
    if live:
        page.save_revision().publish()
    else:
        page.live = False
        page.save()
    return page


@pytest.fixture
def staff(demo_content):
    """The demo's staff accounts, and reviewers who are not to be mailed."""
    accounts = {account.username: account for account in get_user_model().objects.all()}
    user("quiet", group="Clinical reviewers")  # no e-mail address
    user("former", "former@clinic.example", group="Clinical reviewers", is_active=False)
    get_user_model().objects.create_superuser("root", "root@clinic.example", "pw")
    return accounts


@pytest.fixture
def pages(staff):
    """Treatments in every review state (on NOW); the demo's prolotherapy page is due in 2027."""
    return {
        "overdue": treatment(
            "Overdue treatment",
            owner=staff["marketing"],
            last_reviewed=datetime.date(2025, 10, 1),
            next_review_due=datetime.date(2026, 10, 1),
        ),
        "due soon": treatment(
            "Soon treatment",
            owner=staff["editor"],
            last_reviewed=datetime.date(2025, 12, 12),
            next_review_due=datetime.date(2026, 12, 12),
        ),
        "not reviewed": treatment("Unreviewed treatment"),
        "later": treatment(
            "Later treatment",
            owner=staff["editor"],
            last_reviewed=datetime.date(2026, 6, 1),
            next_review_due=datetime.date(2027, 6, 1),
        ),
        "draft": treatment(
            "Draft treatment",
            owner=staff["editor"],
            last_reviewed=datetime.date(2025, 1, 1),
            next_review_due=datetime.date(2026, 1, 1),
            live=False,
        ),
    }


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("send_review_reminders", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def mails(server):
    """Each message received, by its one recipient's address."""
    received = {}
    for envelope, message in zip(server.envelopes, server.messages, strict=True):
        [address] = envelope.rcpt_tos
        assert address not in received, f"two mails to {address}"
        received[address] = message
    return received


def text_of(message):
    return message.get_content().replace("\r\n", "\n")


def edit_link(page):
    return f"{ADMIN}/admin/pages/{page.pk}/edit/"


def test_the_owners_and_the_clinical_reviewers_each_get_one_mail_of_their_pages(smtp_server, pages):
    with time_machine.travel(NOW, tick=False):
        out, err = run()

    received = mails(smtp_server)
    assert set(received) == {
        "reviewer@clinic.example",
        "marketing@clinic.example",
        "editor@clinic.example",
    }
    assert err == ""
    assert "Sent to Dr Riley Reviewer <reviewer@clinic.example>: Overdue treatment; " in out

    reviewer = received["reviewer@clinic.example"]
    assert reviewer["To"] == "Dr Riley Reviewer <reviewer@clinic.example>"
    assert reviewer["Subject"] == "3 treatments due for medical review"
    text = text_of(reviewer)
    assert text.startswith("Hello Dr Riley Reviewer,")
    overdue = text.index("Overdue:\n")
    due_soon = text.index("Due within 30 days:\n")
    not_reviewed = text.index("Not reviewed yet:\n")
    assert overdue < due_soon < not_reviewed
    assert (
        "- Overdue treatment: the review was due on 1 October 2026\n"
        f"  {edit_link(pages['overdue'])}\n"
    ) in text[overdue:due_soon]
    assert (
        f"- Soon treatment: the review is due on 12 December 2026\n  {edit_link(pages['due soon'])}"
    ) in text[due_soon:not_reviewed]
    assert f"- Unreviewed treatment\n  {edit_link(pages['not reviewed'])}" in text[not_reviewed:]
    for title in ["Later treatment", "Draft treatment", "Prolotherapy"]:
        assert title not in text

    marketing = received["marketing@clinic.example"]
    assert marketing["Subject"] == "1 treatment due for medical review"
    assert "Overdue treatment" in text_of(marketing)
    assert "Soon treatment" not in text_of(marketing)
    editor = text_of(received["editor@clinic.example"])
    assert "Soon treatment" in editor
    assert "Overdue treatment" not in editor and "Draft treatment" not in editor

    sent = set(ReviewReminder.objects.values_list("page__title", "recipient__username"))
    assert sent == {
        ("Overdue treatment", "reviewer"),
        ("Soon treatment", "reviewer"),
        ("Unreviewed treatment", "reviewer"),
        ("Overdue treatment", "marketing"),
        ("Soon treatment", "editor"),
    }


def test_an_owner_who_reviews_gets_each_page_once(smtp_server, staff, pages):
    page = pages["overdue"]
    page.owner = staff["reviewer"]
    page.save()
    with time_machine.travel(NOW, tick=False):
        run()
    text = text_of(mails(smtp_server)["reviewer@clinic.example"])
    assert text.count("Overdue treatment") == 1
    assert "marketing@clinic.example" not in mails(smtp_server)


def test_a_page_is_named_to_a_person_once_a_week(smtp_server, staff, pages):
    with time_machine.travel(NOW, tick=False):
        run()
    assert len(smtp_server.envelopes) == 3

    with time_machine.travel(NOW + datetime.timedelta(days=6, hours=23), tick=False):
        out, _ = run()
        assert out == "No review reminders to send.\n"
        assert len(smtp_server.envelopes) == 3

        # A page that falls due meanwhile is sent on its own, the others not again.
        treatment(
            "New treatment",
            owner=staff["editor"],
            last_reviewed=datetime.date(2025, 12, 20),
            next_review_due=datetime.date(2026, 12, 20),
        )
        run()
        new = smtp_server.messages[3:]
        assert len(new) == 2
        for message in new:
            assert message["Subject"] == "1 treatment due for medical review"
            assert "New treatment" in text_of(message)
            assert "Overdue treatment" not in text_of(message)

    with time_machine.travel(NOW + datetime.timedelta(days=7, minutes=1), tick=False):
        run()
    again = {envelope.rcpt_tos[0] for envelope in smtp_server.envelopes[5:]}
    assert again == {
        "reviewer@clinic.example",
        "marketing@clinic.example",
        "editor@clinic.example",
    }


def test_a_dry_run_says_what_would_go_and_sends_and_records_nothing(smtp_server, pages):
    with time_machine.travel(NOW, tick=False):
        out, _ = run("--dry-run")
    assert out.splitlines() == [
        "Would send to Erin Editor <editor@clinic.example>: Soon treatment",
        "Would send to Max Marketing <marketing@clinic.example>: Overdue treatment",
        "Would send to Dr Riley Reviewer <reviewer@clinic.example>: Overdue treatment; "
        "Soon treatment; Unreviewed treatment",
    ]
    assert smtp_server.envelopes == []
    assert not ReviewReminder.objects.exists()


def test_with_the_mail_server_down_it_fails_clearly_records_nothing_and_retries(
    smtp_server, settings, pages
):
    with refused_port() as down, time_machine.travel(NOW, tick=False):
        settings.EMAIL_PORT = down
        with pytest.raises(CommandError) as failure:
            run()
    assert str(failure.value) == (
        "3 of 3 review reminders could not be sent (is the mail server up? see EMAIL_HOST and "
        "EMAIL_PORT). Nothing was recorded for them: the next run tries again."
    )
    assert not ReviewReminder.objects.exists()

    settings.EMAIL_PORT = smtp_server.port
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        run()
    assert len(mails(smtp_server)) == 3
    assert ReviewReminder.objects.count() == 5


def test_nothing_due_sends_nothing(smtp_server, staff):
    with time_machine.travel(NOW, tick=False):
        out, _ = run()
    assert out == "No review reminders to send.\n"
    assert smtp_server.envelopes == []
