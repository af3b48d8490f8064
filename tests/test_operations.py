"""Operating the site: the health check, tasks left running by a worker that stopped, the
dashboard's warning about contact mail that is late, and password reset mail that goes
through the task worker, limited per address and per client. (The worker itself, under the
production settings, is in tests/test_worker_recovery.py.)"""

import datetime
import io
import json
import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from base.worker import ABANDONED_AFTER, requeue_abandoned
from forms.models import ContactFormPage
from home.demo import staff_password

RESET_URL = "/admin/password_reset/"
CSRF_TOKEN = re.compile(r'(?<="CSRF_TOKEN": ")[^"]+|(?<=name="csrfmiddlewaretoken" value=")[^"]+')
NO_TIME = datetime.datetime(
    9999, 1, 1, tzinfo=datetime.UTC
)  # django-tasks-db: "as soon as possible"


def add_task(status=TaskResultStatus.READY, enqueued_ago=0, started_ago=None, worker_ids=()):
    """A task row as django-tasks-db's backend stores it, enqueued `enqueued_ago` seconds ago."""
    now = timezone.now()
    task = DBTaskResult.objects.create(
        task_path="forms.tasks.notify_clinic",
        args_kwargs={"args": [], "kwargs": {"submission_id": 1}},
        backend_name="default",
        run_after=NO_TIME,
        status=status,
        started_at=None if started_ago is None else now - datetime.timedelta(seconds=started_ago),
        worker_ids=list(worker_ids),
    )
    DBTaskResult.objects.filter(pk=task.pk).update(
        enqueued_at=now - datetime.timedelta(seconds=enqueued_ago)
    )
    return task


def health(client):
    response = client.get("/healthz")
    return response, json.loads(response.content)


# The health check


def test_the_health_check_reports_the_database_the_cache_and_the_oldest_waiting_task(client, db):
    add_task(enqueued_ago=90)
    add_task(enqueued_ago=5)
    add_task(TaskResultStatus.RUNNING, enqueued_ago=3000, started_ago=20 * 60, worker_ids=["w"])
    add_task(TaskResultStatus.SUCCESSFUL, enqueued_ago=9000)

    response, answer = health(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    tasks = answer.pop("tasks")
    assert answer == {"status": "ok", "database": "ok", "cache": "ok"}
    assert tasks["waiting"] == 2
    assert 90 <= tasks["oldest_waiting_seconds"] < 120
    assert tasks["running_over_15_minutes"] == 1
    # Nothing about the deployment: no database name, host, key or version.
    database = django_settings.DATABASES["default"]
    for secret in (django_settings.SECRET_KEY, str(database["NAME"]), "postgres", "sqlite"):
        assert secret not in response.content.decode()


def test_the_health_check_with_nothing_waiting(client, db):
    _response, answer = health(client)
    assert answer["tasks"] == {
        "waiting": 0,
        "oldest_waiting_seconds": None,
        "running_over_15_minutes": 0,
    }


def test_the_health_check_is_never_kept_by_the_page_cache(client, db):
    assert "/healthz" in django_settings.PAGE_CACHE_EXCLUDED_PATHS
    first, before = health(client)
    add_task(enqueued_ago=30)
    second, after = health(client)

    assert before["tasks"]["waiting"] == 0 and after["tasks"]["waiting"] == 1
    for response in (first, second):
        assert "X-Page-Cache" not in response
        assert "no-store" in response["Cache-Control"]


def test_the_health_check_answers_plain_http_where_pages_redirect_to_https(db, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # its middleware is set up with the setting above
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


# Tasks left running by a worker that stopped


def test_a_task_running_longer_than_the_limit_is_queued_again(db):
    minutes = ABANDONED_AFTER.total_seconds() / 60
    stuck = add_task(TaskResultStatus.RUNNING, started_ago=(minutes + 1) * 60, worker_ids=["a"])
    recent = add_task(TaskResultStatus.RUNNING, started_ago=(minutes - 1) * 60, worker_ids=["b"])
    done = add_task(TaskResultStatus.SUCCESSFUL, started_ago=3 * 60 * 60, worker_ids=["a"])
    waiting = add_task()

    out = io.StringIO()
    call_command("requeue_stuck_tasks", stdout=out)

    assert out.getvalue() == "Queued 1 stuck task(s) to run again.\n"
    statuses = {
        task.pk: task.status
        for task in DBTaskResult.objects.filter(pk__in=[stuck.pk, recent.pk, done.pk, waiting.pk])
    }
    assert statuses == {
        stuck.pk: TaskResultStatus.READY,
        recent.pk: TaskResultStatus.RUNNING,  # its worker may still be at it
        done.pk: TaskResultStatus.SUCCESSFUL,
        waiting.pk: TaskResultStatus.READY,
    }
    # The task is ready for a worker, which keeps the history of who took it.
    assert DBTaskResult.objects.ready().filter(pk=stuck.pk, worker_ids=["a"]).exists()


def test_a_worker_starting_under_an_id_queues_again_what_its_previous_run_left(db):
    mine = add_task(TaskResultStatus.RUNNING, started_ago=60, worker_ids=["x", "worker-1"])
    other = add_task(TaskResultStatus.RUNNING, started_ago=60, worker_ids=["worker-1", "y"])

    assert requeue_abandoned(worker_id="worker-1") == 1

    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.status == TaskResultStatus.READY
    assert other.status == TaskResultStatus.RUNNING  # now taken by worker "y"


# The dashboard's warning about late contact mail


@pytest.fixture
def contact_page(demo_content):
    return ContactFormPage.objects.get()


def message_sent_ago(page, minutes, mailed=False):
    message = page.get_submission_class().objects.create(
        page=page, form_data={"name": "Pat Patient", "message": "Can I park at the clinic?"}
    )
    sent = timezone.now() - datetime.timedelta(minutes=minutes)
    message.submit_time = sent
    message.notification_sent_at = sent + datetime.timedelta(seconds=2) if mailed else None
    message.save(update_fields=["submit_time", "notification_sent_at"])
    return message


def late_mail_warning(client, username):
    assert client.login(username=username, password=staff_password(username))
    page = BeautifulSoup(client.get("/admin/").content, "html.parser")
    heading = page.find(id="late-contact-mail-heading")
    return heading and " ".join(heading.find_parent("section").get_text().split())


@pytest.mark.parametrize("username", ["frontdesk", "editor"])
def test_staff_are_warned_of_a_message_waiting_11_minutes_to_be_mailed(
    client, contact_page, username
):
    message = message_sent_ago(contact_page, 11)
    message_sent_ago(contact_page, 30, mailed=True)

    warning = late_mail_warning(client, username)

    oldest = timezone.localtime(message.submit_time)
    assert warning == (
        "Contact messages not mailed "
        "1 contact message has waited more than 10 minutes to be e-mailed to the clinic "
        f"(the oldest since {oldest:%-d %b %Y, %H:%M}). Read it here meanwhile, and tell "
        "whoever runs the website: the task worker may have stopped, or the mail server "
        "refuses the mail. Contact messages"
    )


def test_no_warning_for_a_message_waiting_9_minutes(client, contact_page):
    message_sent_ago(contact_page, 9)
    message_sent_ago(contact_page, 30, mailed=True)
    assert late_mail_warning(client, "frontdesk") is None


def test_the_warning_counts_every_late_message_and_is_not_shown_to_marketing(client, contact_page):
    for minutes in (12, 60, 24 * 60):
        message_sent_ago(contact_page, minutes)
    assert "3 contact messages have waited" in late_mail_warning(client, "editor")
    client.logout()
    assert late_mail_warning(client, "marketing") is None


# Password reset


@pytest.fixture
def staff(demo_content):
    return get_user_model().objects.get(username="editor")


def ask_for_reset(client, email, client_address="192.0.2.1"):
    return client.post(RESET_URL, {"email": email}, REMOTE_ADDR=client_address)


def test_a_password_reset_mails_a_link_to_the_account(client, staff):
    response = ask_for_reset(client, staff.email)

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [staff.email]
    assert "/admin/password_reset/confirm/" in message.body
    assert "editor" in message.body


def test_an_address_asking_20_times_gets_at_most_the_limit(client, staff, settings):
    for number in range(20):
        response = ask_for_reset(client, staff.email.upper(), f"198.51.100.{number}")
        assert response.status_code == 302
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 3


def test_a_client_asking_for_20_addresses_gets_at_most_its_limit(client, demo_content, settings):
    users = get_user_model().objects
    for number in range(20):
        users.create_user(f"person{number}", f"person{number}@example.org", "a-long-password")
    for number in range(20):
        assert ask_for_reset(client, f"person{number}@example.org").status_code == 302
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_CLIENT == 10
    # Another client is not held back by the first one's requests.
    ask_for_reset(client, "person19@example.org", "203.0.113.9")
    assert len(mail.outbox) == 11


def test_the_answer_is_the_same_for_a_known_an_unknown_and_a_throttled_address(client, staff):
    def answer(email, address):
        response = ask_for_reset(client, email, address)
        followed = client.get(response["Location"]).content.decode()
        # The CSRF token is masked anew for each page: the same token, written differently.
        followed = CSRF_TOKEN.sub("(token)", followed)
        return response.status_code, response["Location"], response.content, followed

    known = answer(staff.email, "192.0.2.10")
    unknown = answer("nobody@example.org", "192.0.2.11")
    for number in range(5):
        throttled = answer(staff.email, f"192.0.2.{20 + number}")

    assert known == unknown == throttled
    assert known[:2] == (302, "/admin/password_reset/done/")
    assert len(mail.outbox) == 3
