"""200 valid contact messages from 20 patients at once, through a trusted proxy, against
gunicorn with 2 worker processes on PostgreSQL and Redis, with the real task worker mailing
a real SMTP server: each message is stored once and mailed once, and none is refused. Run
with -s to see the counts and how long it took."""

import contextlib
import re
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

from forms.models import ContactSubmission
from tests.conftest import need_redis
from tests.live import (
    Visitor,
    Worker,
    gunicorn,
    load_site,
    need_postgresql,
    production_env,
    thanked,
    wait_for,
)
from tests.smtp import SMTPServer

PATIENTS = 20
MESSAGES_EACH = 10  # the rate limit: each patient may send exactly this many


def test_200_messages_from_20_patients_are_each_stored_and_mailed_once(
    django_db_serialized_rollback, transactional_db, tmp_path
):
    need_postgresql()
    need_redis()
    load_site()
    smtp = SMTPServer()
    smtp.start()
    env = production_env(
        tmp_path,
        EMAIL_PORT=smtp.port,
        WEB_CONCURRENCY=2,
        TRUSTED_PROXY_COUNT=1,
        CONTACT_RATE_LIMIT=MESSAGES_EACH,
    )
    with contextlib.ExitStack() as stack:
        stack.callback(smtp.stop)
        site = stack.enter_context(gunicorn(env, tmp_path))
        worker = Worker(env, tmp_path).start()
        stack.callback(worker.stop)

        def patient(number):
            visitor = Visitor(site, forwarded_for=f"198.51.100.{number}")
            try:
                return [
                    visitor.contact_form(message=f"Message {number}-{count}")
                    for count in range(MESSAGES_EACH)
                ]
            finally:
                connections.close_all()

        started = time.monotonic()
        with ThreadPoolExecutor(PATIENTS) as pool:
            responses = [r for answers in pool.map(patient, range(PATIENTS)) for r in answers]
        answered = time.monotonic() - started
        wait_for(
            lambda: not ContactSubmission.objects.pending().exists(),
            timeout=300,
            what="the worker to send every message",
        )
        mailed = time.monotonic() - started
        one_more = Visitor(site, forwarded_for="198.51.100.0").contact_form()

    expected = {f"Message {n}-{c}" for n in range(PATIENTS) for c in range(MESSAGES_EACH)}
    statuses = Counter(response.status for response in responses)
    thanked_count = sum(thanked(response) for response in responses)
    stored = Counter(s.form_data["message"] for s in ContactSubmission.objects.all())
    mail_bodies = [message.get_body().get_content() for message in smtp.messages]
    mailed_messages = Counter(re.search(r"Message \d+-\d+", body).group(0) for body in mail_bodies)
    print(
        f"\n  {len(responses)} submissions from {PATIENTS} patients: statuses {dict(statuses)}, "
        f"{thanked_count} thanked, {sum(stored.values())} stored ({len(stored)} distinct), "
        f"{len(smtp.envelopes)} mailed ({len(mailed_messages)} distinct); "
        f"all answered in {answered:.1f} s, all mailed in {mailed:.1f} s"
    )
    assert thanked_count == len(responses) == PATIENTS * MESSAGES_EACH
    assert stored == Counter(expected)
    assert mailed_messages == Counter(expected)
    assert len(smtp.envelopes) == len(expected)
    # The limit still holds: the 11th message from a patient is refused.
    assert one_more.status == 429
