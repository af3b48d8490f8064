"""The bench's work inside Django, without a server, on the same database and settings as the
site's server (bench/settings.py). bench/run.py runs it with each set-up's environment:

    python -m bench.inprocess prepare    # migrate, demo content, samples, search index
    python -m bench.inprocess measure    # each row's queries per request, as one line of JSON
    python -m bench.inprocess publisher  # publishes, one per line read (bench/publish.py)

`measure` counts, through Django's test Client in this process, the queries of one request
of each of the site's rows after a few untimed ones (caches warm), as a new visitor each
time; for the "after a publish" row, of a request right after a publish.

A publish here is what every publish does to the page cache: pagecache's
new_content_version() moves the content version on, so every kept page (and every fragment
cached under the version) is out of date.
"""

import json
import sys
from contextlib import nullcontext

from bench import rows

WARM_UP = 3
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
        if row.server == "bare":
            continue
        if row.sequential:
            queries[row.label] = count_queries_after_publish(visitor, row)
        else:
            queries[row.label] = count_queries(visitor, row)
    return {"queries": queries}


def publisher():
    """Publish each time a line comes in on stdin; answer each with a line on stdout."""
    print("ready", flush=True)
    for _ in sys.stdin:
        publish()
        print("published", flush=True)


def main(command):
    import django

    django.setup()
    if command == "prepare":
        from bench import data

        data.prepare(out=sys.stderr)
    elif command == "measure":
        print(json.dumps(measure()))
    elif command == "publisher":
        publisher()
    else:
        raise SystemExit(
            f"usage: python -m bench.inprocess prepare|measure|publisher, not {command!r}"
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
