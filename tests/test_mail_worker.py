"""The clinic's mail about a contact message is sent by the task worker, never inside the
patient's request: gunicorn and the real worker (`manage.py db_worker`) under the production
settings, against real SMTP servers that hang, answer slowly or refuse. Run with -s to see
how long the thank-you page took."""

import asyncio
import contextlib
import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from forms.models import ContactSubmission
from forms.notifications import CLAIM_TIMEOUT
from tests.live import (
    Visitor,
    Worker,
    gunicorn,
    hung_port,
    load_site,
    need_postgresql,
    production_env,
    thanked,
    wait_for,
)
from tests.smtp import Collector, SMTPServer, use_smtp_server

PROMISED_SECONDS = 5


class HeldCollector(Collector):
    """A mail server that answers the end of each message only when the test lets it."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()
        self.waiting = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.waiting.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def production(django_db_serialized_rollback, transactional_db, tmp_path):
    """Start gunicorn and the task worker on the demo site, given the mail server's port."""
    need_postgresql()
    load_site()
    with contextlib.ExitStack() as stack:

        def start(smtp_port, **env):
            environment = production_env(tmp_path, EMAIL_PORT=smtp_port, **env)
            site = stack.enter_context(gunicorn(environment, tmp_path))
            worker = Worker(environment, tmp_path).start()
            stack.callback(worker.stop)
            return site, worker

        yield start


def submit(site, message):
    response = Visitor(site).contact_form(message=message)
    print(f"\n  thank-you page: {response.seconds:.3f} s")
    assert thanked(response), response.text
    assert response.seconds < PROMISED_SECONDS
    return ContactSubmission.objects.get(form_data__message=message)


def test_a_slow_mail_server_delays_only_the_mail_which_is_sent_once(production):
    smtp = SMTPServer()
    smtp.handler = HeldCollector()
    smtp.start()
    try:
        site, _worker = production(smtp.port)
        submission = submit(site, "Sent while the mail server is slow")

        # The worker is talking to the mail server; the site still answers at once.
        assert smtp.handler.waiting.wait(timeout=60)
        home = site.request("GET", "/")
        print(f"  GET / while the worker waits on the mail server: {home.seconds:.3f} s")
        assert home.status == 200 and home.seconds < PROMISED_SECONDS
        submission.refresh_from_db()
        assert submission.pending

        smtp.handler.release.set()
        wait_for(lambda: not ContactSubmission.objects.get(pk=submission.pk).pending)
    finally:
        smtp.handler.release.set()
        smtp.stop()
    [message] = smtp.messages
    assert "Sent while the mail server is slow" in message.get_body().get_content()


def test_a_refused_message_stays_pending_and_is_sent_later_by_the_command(production, settings):
    smtp = SMTPServer()

    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such mailbox"

    smtp.handler.handle_RCPT = refuse
    smtp.start()
    try:
        site, _worker = production(smtp.port)
        submission = submit(site, "Sent while the mailbox is refused")
        wait_for(lambda: ContactSubmission.objects.get(pk=submission.pk).notification_attempts)
        submission.refresh_from_db()
        assert submission.pending
        assert "SMTPRecipientsRefused" in submission.notification_error

        del smtp.handler.handle_RCPT
        use_smtp_server(settings, smtp)
        out = io.StringIO()
        call_command("send_pending_notifications", stdout=out)
    finally:
        smtp.stop()
    assert "Sent 1 pending notification" in out.getvalue()
    assert len(smtp.envelopes) == 1


def test_the_worker_gives_up_on_a_hung_mail_server_after_the_smtp_timeout(production):
    with hung_port() as port:
        site, _worker = production(port, EMAIL_TIMEOUT=1)
        submission = submit(site, "Sent while the mail server hangs")
        wait_for(lambda: ContactSubmission.objects.get(pk=submission.pk).notification_attempts)
    submission.refresh_from_db()
    assert submission.pending
    assert "timed out" in submission.notification_error


def test_a_message_claimed_by_a_worker_that_died_is_reported_then_sent_again(production, settings):
    with hung_port() as port:
        # The mail server accepts and never answers; the worker waits on it, then dies.
        site, worker = production(port, EMAIL_TIMEOUT=600)
        submission = submit(site, "Sent just before the worker died")
        wait_for(
            lambda: ContactSubmission.objects.get(pk=submission.pk).notification_claimed_at,
            what="the worker to claim the message",
        )
        worker.kill()

    smtp = SMTPServer()
    smtp.start()
    use_smtp_server(settings, smtp)
    try:
        out, err = io.StringIO(), io.StringIO()
        call_command("send_pending_notifications", stdout=out, stderr=err)
        assert smtp.envelopes == []
        assert f"Message {submission.pk} " in err.getvalue()
        assert "claimed by a worker at" in err.getvalue()
        assert "If that worker stopped, the message is sent by this command from" in (
            err.getvalue()
        )

        # Once the claim is older than the timeout, the command takes it over.
        ContactSubmission.objects.filter(pk=submission.pk).update(
            notification_claimed_at=timezone.now() - CLAIM_TIMEOUT - datetime.timedelta(minutes=1)
        )
        out = io.StringIO()
        call_command("send_pending_notifications", stdout=out)
        assert "never sent it; sent now" in out.getvalue()
        assert "Sent 1 pending notification" in out.getvalue()

        out = io.StringIO()
        call_command("send_pending_notifications", stdout=out)
        assert "Sent 0 pending notification" in out.getvalue()
    finally:
        smtp.stop()
    [message] = smtp.messages
    assert "Sent just before the worker died" in message.get_body().get_content()
