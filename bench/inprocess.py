"""The bench's work inside Django, without a server, on the same database and settings as the
site's server (bench/settings.py). bench/run.py runs it with each set-up's environment:

    python -m bench.inprocess prepare N  # migrate, demo content, N samples, search index
    python -m bench.inprocess measure    # each row's queries per request, as one line of JSON
    python -m bench.inprocess publishing # what an editor's publish costs, as one line of JSON
    python -m bench.inprocess publisher  # publishes, one per line read (bench/publish.py)

`measure` counts, through Django's test Client in this process, the queries of one request
of each of the site's rows after a few untimed ones (caches warm), as a new visitor each
time; for the "after a publish" row, of a request right after a publish.

A publish here is what every publish does to the page cache: pagecache's
new_content_version() moves the content version on, so every kept page (and every fragment
cached under the version) is out of date. The publisher can also publish a sample treatment
for real (a new revision, published, with every signal a publish sends).

`publishing` publishes a sample treatment through the admin, as an editor does (the page
editor's form, "Publish"), PUBLISH_TIMES times, with a CDN configured (a local proxy that
records the PURGE requests, tests/cdn.py): the CPU time of the editor's request and its
queries, then the task worker's (its tasks run here, as `db_worker --batch` runs them: the
CDN purge, the search index, the reference index) and the PURGE requests the CDN received.
"""

import json
import statistics
import sys
import time
from contextlib import nullcontext

from bench import rows

WARM_UP = 3
PUBLISH_TIMES = 5
EDITOR = "bench-editor"
PURGE_BACKEND = "wagtail.contrib.frontend_cache.backends.HTTPBackend"
CACHES_OFF = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


class Visitor:
    """Requests through the test Client, as a new visitor each time (as under load)."""

    def __init__(self):
        from django.test import Client

        self.client = Client(
            HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https", HTTP_ACCEPT_ENCODING="gzip"
        )

    def get(self, path):
        self.client.cookies.clear()
        response = self.client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response


def row_settings(row):
    from django.test import override_settings

    return override_settings(CACHES=CACHES_OFF) if row.server == "off" else nullcontext()


def count_queries(visitor, row):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    with row_settings(row):
        for _ in range(WARM_UP):
            visitor.get(row.path)
        reset_queries()  # a request clears the query log; start it empty so none is lost
        with CaptureQueriesContext(connection) as queries:
            visitor.get(row.path)
    return len(queries)


def publish():
    """Move the content version on, as every publish does: every kept page is out of date."""
    from pagecache.models import new_content_version

    new_content_version()


def count_queries_after_publish(visitor, row):
    """The queries of a request right after a publish (the publish's own not counted)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        publish()
        visitor.get(row.path)
    publish()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = visitor.get(row.path)
    if response.get("X-Page-Cache") != "miss":
        raise RuntimeError(f"{row.path} after a publish was not a page-cache miss")
    return len(queries)


def measure():
    """{"queries": {row label: queries per request}} for each of the site's rows."""
    visitor = Visitor()
    queries = {}
    for row in rows.ROWS:
        if row.server == "bare" or row.expect == rows.WHILE_PUBLISHING:
            continue
        if row.sequential:
            queries[row.label] = count_queries_after_publish(visitor, row)
        else:
            queries[row.label] = count_queries(visitor, row)
    return {"queries": queries}


def publish_sample():
    """Publish the first sample treatment for real, as the admin's Publish does."""
    from bench.data import sample_title
    from procedures.models import ProcedurePage

    ProcedurePage.objects.get(title=sample_title(1)).save_revision().publish()


def run_worker():
    """Run every queued task, as the task worker does, in this process."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def publishing():
    """What an editor's publish costs: the request, the task worker, the PURGE requests (the
    medians of PUBLISH_TIMES publishes, after one untimed)."""
    from django.contrib.auth.models import User
    from django.db import connection, reset_queries
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    from bench.data import sample_title
    from forms.models import ContactFormPage
    from procedures.models import ProcedurePage
    from tests.admin_forms import minimal_procedure_body, procedure_form_data
    from tests.cdn import PurgeRecorder

    page = ProcedurePage.objects.get(title=sample_title(1))
    editor = User.objects.filter(username=EDITOR).first()
    if editor is None:
        editor = User.objects.create_superuser(EDITOR, "editor@bench.invalid", None)
    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(editor)
    form = procedure_form_data(
        page.title, page.slug, minimal_procedure_body(ContactFormPage.objects.first().pk)
    )
    form["action-publish"] = "action-publish"
    run_worker()  # what loading the data queued
    figures = []
    with PurgeRecorder() as cdn:
        proxy = {"BACKEND": PURGE_BACKEND, "LOCATION": cdn.url}
        with override_settings(WAGTAILFRONTENDCACHE={"bench": proxy}):
            for _ in range(1 + PUBLISH_TIMES):
                reset_queries()
                with CaptureQueriesContext(connection) as queries:
                    began = time.process_time()
                    response = client.post(f"/admin/pages/{page.pk}/edit/", form)
                    request_cpu = time.process_time() - began
                if response.status_code != 302:
                    raise RuntimeError(f"the publish answered {response.status_code}")
                queued = DBTaskResult.objects.filter(status="READY").count()
                cdn.purged.clear()
                began = time.process_time()
                run_worker()
                worker_cpu = time.process_time() - began
                figures.append((request_cpu, len(queries), queued, worker_cpu, len(cdn.purged)))
    timed = figures[1:]
    return {
        "request_cpu_ms": 1000 * statistics.median(f[0] for f in timed),
        "request_queries": max(f[1] for f in timed),
        "tasks": max(f[2] for f in timed),
        "worker_cpu_ms": 1000 * statistics.median(f[3] for f in timed),
        "purges": max(f[4] for f in timed),
    }


def publisher():
    """Publish each time a line comes in on stdin ("publish": the content version moves on;
    "publish-page": a sample treatment published for real); answer each with a line."""
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "publish-page":
            publish_sample()
        else:
            publish()
        print("published", flush=True)


def main(command, *args):
    import django

    django.setup()
    if command == "prepare":
        from bench import data

        data.prepare(*(int(arg) for arg in args), out=sys.stderr)
    elif command == "measure":
        print(json.dumps(measure()))
    elif command == "publishing":
        print(json.dumps(publishing()))
    elif command == "publisher":
        publisher()
    else:
        raise SystemExit(
            "usage: python -m bench.inprocess prepare [N]|measure|publishing|publisher, "
            f"not {command!r}"
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
