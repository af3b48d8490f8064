"""A task worker that keeps working: the real worker (`manage.py db_worker`) and gunicorn under
the production settings, on the test's PostgreSQL database, against real SMTP servers.

PostgreSQL is not restarted (other work shares it): what a restart does to its clients is done
to this test's database alone, its connections cut (pg_terminate_backend) and new ones refused
for a few seconds (ALLOW_CONNECTIONS false), as while the server starts again."""

import contextlib
import datetime
import json
import re
import time

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from psycopg import sql

from base.worker import ABANDONED_AFTER
from forms.models import ContactSubmission
from forms.notifications import CLAIM_TIMEOUT
from tests import servers
from tests.live import (
    Site,
    Visitor,
    Worker,
    hung_port,
    load_site,
    need_postgresql,
    production_env,
    thanked,
    wait_for,
)
from tests.smtp import SMTPServer, refused_port
from tests.test_mail_worker import HeldCollector

PROMISED_SECONDS = 5
RESET_TASK = "base.tasks.send_password_reset"
NO_TIME = datetime.datetime(
    9999, 1, 1, tzinfo=datetime.UTC
)  # django-tasks-db: "as soon as possible"


class Processes:
    """gunicorn and task workers started by a test, each with its own environment; stopped
    at the end of the test."""

    def __init__(self, stack, workdir):
        self.stack = stack
        self.workdir = workdir
        self.workers = 0

    def site(self, **env):
        environment = production_env(self.workdir, **env)
        base_url = self.stack.enter_context(servers.gunicorn(environment, self.workdir, workers=1))
        return Site(base_url, self.workdir)

    def worker(self, *args, **env):
        self.workers += 1
        worker = Worker(
            production_env(self.workdir, **env),
            self.workdir,
            *args,
            log_name=f"worker-{self.workers}.log",
        ).start()
        self.stack.callback(worker.stop)
        return worker


@pytest.fixture
def processes(django_db_serialized_rollback, transactional_db, tmp_path):
    need_postgresql()
    load_site()
    with contextlib.ExitStack() as stack:
        yield Processes(stack, tmp_path)


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@contextlib.contextmanager
def database_restarting():
    """What a PostgreSQL restart does to this test database's clients: every connection but
    this test's own is cut, and new ones are refused until the block ends. (Done from the
    server's maintenance database: a database cannot refuse connections from inside.)"""
    database = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [own] = cursor.fetchone()
    with psycopg.connect(
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        name = sql.Identifier(database["NAME"])
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(name))
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [database["NAME"], own],
            )
            yield
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(name))


def submit(site, message):
    response = Visitor(site).contact_form(message=message)
    assert thanked(response), response.text
    assert response.seconds < PROMISED_SECONDS
    return ContactSubmission.objects.get(form_data__message=message)


def mailed(submission):
    return not ContactSubmission.objects.get(pk=submission.pk).pending


def healthz(site):
    response = site.request("GET", "/healthz")
    return response, json.loads(response.body)


def test_the_worker_carries_on_mailing_after_the_database_restarts(processes, smtp):
    site = processes.site(EMAIL_PORT=smtp.port)
    worker = processes.worker(EMAIL_PORT=smtp.port)
    before = submit(site, "Sent before the database restarted")
    wait_for(lambda: mailed(before), what="the first mail")

    with database_restarting():
        time.sleep(3)

    assert worker.popen.poll() is None, worker.log
    after = submit(site, "Sent after the database restarted")
    wait_for(lambda: mailed(after), what="the mail sent after the restart")
    assert len(smtp.messages) == 2
    assert "Sent after the database restarted" in smtp.messages[1].get_body().get_content()
    # The worker did lose the database, and said so.
    assert "The task worker lost the database" in worker.log

    response, answer = healthz(site)
    assert response.status == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "X-Page-Cache" not in response.headers
    assert answer["status"] == answer["database"] == answer["cache"] == "ok"
    assert answer["tasks"]["waiting"] == 0


def add_reset_task(email):
    """A password reset for `email` in the queue, as the "Forgotten password?" form leaves it."""
    return DBTaskResult.objects.create(
        task_path=RESET_TASK,
        args_kwargs={
            "args": [],
            "kwargs": {
                "email": email,
                "domain": "localhost",
                "use_https": True,
                "subject_template_name": "wagtailadmin/account/password_reset/email_subject.txt",
                "email_template_name": "wagtailadmin/account/password_reset/email.txt",
                "html_email_template_name": None,
                "from_email": None,
            },
        },
        backend_name="default",
        run_after=NO_TIME,
    )


def test_a_task_cut_off_from_the_database_as_it_ends_is_run_again(processes):
    # The mail server holds the message until the test lets it go, meanwhile the database
    # restarts: the worker cannot record that the task is done.
    held = SMTPServer()
    held.handler = HeldCollector()
    held.start()
    try:
        worker = processes.worker("--worker-id", "worker-1", EMAIL_PORT=held.port)
        task = add_reset_task("editor@clinic.example")
        assert held.handler.waiting.wait(timeout=60)
        with database_restarting():
            held.handler.release.set()
            time.sleep(3)

        wait_for(
            lambda: len(held.envelopes) == 2,
            what="the task run again after the database restarted",
        )
        wait_for(
            lambda: DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL,
            what="the task recorded as done",
        )
    finally:
        held.handler.release.set()
        held.stop()
    assert DBTaskResult.objects.get(pk=task.pk).worker_ids == ["worker-1", "worker-1"]
    assert worker.popen.poll() is None, worker.log
    # Sent twice (at least once): each with a link that works.
    assert [envelope.rcpt_tos for envelope in held.envelopes] == [["editor@clinic.example"]] * 2


def test_a_mail_task_left_running_by_a_killed_worker_is_run_by_the_next_worker(processes, smtp):
    with hung_port() as port:
        # The mail server accepts and never answers; the worker waits on it, then is killed.
        site = processes.site(EMAIL_PORT=port, EMAIL_TIMEOUT=600)
        first = processes.worker(EMAIL_PORT=port, EMAIL_TIMEOUT=600)
        submission = submit(site, "Sent just before the worker was killed")
        wait_for(
            lambda: ContactSubmission.objects.get(pk=submission.pk).notification_claimed_at,
            what="the worker to claim the message",
        )
        first.kill()
    [task] = DBTaskResult.objects.running()

    # The worker died long enough ago: its task and its claim on the message have expired.
    long_ago = timezone.now() - ABANDONED_AFTER - datetime.timedelta(minutes=1)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=long_ago)
    ContactSubmission.objects.filter(pk=submission.pk).update(
        notification_claimed_at=timezone.now() - CLAIM_TIMEOUT - datetime.timedelta(minutes=1)
    )
    second = processes.worker(EMAIL_PORT=smtp.port)

    wait_for(lambda: mailed(submission), what="the next worker to send the mail")
    [message] = smtp.messages
    assert "Sent just before the worker was killed" in message.get_body().get_content()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == "sent"
    assert len(task.worker_ids) == 2
    assert "is queued to run again" in second.log


def ask_for_password_reset(site, email):
    visitor = Visitor(site)
    form = visitor.request("GET", "/admin/password_reset/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return visitor.request(
        "POST", "/admin/password_reset/", {"csrfmiddlewaretoken": token, "email": email}
    )


def test_password_reset_mail_is_sent_by_the_worker_not_the_request(processes, smtp):
    with hung_port() as port:
        # Web and worker both see a mail server that never answers.
        site = processes.site(EMAIL_PORT=port, EMAIL_TIMEOUT=600)
        first = processes.worker("--worker-id", "worker-1", EMAIL_PORT=port, EMAIL_TIMEOUT=600)
        response = ask_for_password_reset(site, "editor@clinic.example")
        print(f"\n  password reset with the mail server hung: {response.seconds:.3f} s")
        assert response.status == 302, response.text
        assert response.headers["Location"] == "/admin/password_reset/done/"
        assert response.seconds < PROMISED_SECONDS
        wait_for(
            lambda: DBTaskResult.objects.running().filter(task_path=RESET_TASK).exists(),
            what="the worker to take the password reset",
        )
        # Killed while it waits on the mail server: started again under its id (as systemd
        # does), it runs the password reset again, to a mail server that answers.
        first.kill()
    processes.worker("--worker-id", "worker-1", EMAIL_PORT=smtp.port)

    wait_for(lambda: smtp.envelopes, what="the password reset mail")
    [message] = smtp.messages
    assert message["To"] == "editor@clinic.example"
    assert "/admin/password_reset/confirm/" in message.get_body().get_content()
    [task] = DBTaskResult.objects.filter(task_path=RESET_TASK)
    assert task.worker_ids == ["worker-1", "worker-1"]


@pytest.mark.parametrize("database", ["refused", "hung"])
def test_the_health_check_answers_503_while_the_database_is_unreachable(processes, database):
    ports = {"refused": refused_port, "hung": hung_port}
    with ports[database]() as port:
        site = processes.site(DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/clinic")
        started = time.monotonic()
        response, answer = healthz(site)
        seconds = time.monotonic() - started
    print(f"\n  /healthz with the database {database}: {seconds:.3f} s")
    assert response.status == 503
    assert seconds < PROMISED_SECONDS
    assert answer == {
        "status": "unavailable",
        "database": "unavailable",
        "cache": "ok",
        "tasks": None,
    }
    assert "no-store" in response.headers["Cache-Control"]
    assert str(port) not in response.text and "127.0.0.1" not in response.text
    assert "the database does not answer" in site.stderr
