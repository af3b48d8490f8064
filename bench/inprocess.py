"""What each page costs inside Django, without a server: the queries of one request, and the
median and 95th percentile time and the median CPU time of many, through Django's test
Client in this process, on the same database and settings as the server (bench/settings.py).

bench/run.py runs it once per database, with that database's environment:

    python -m bench.inprocess prepare    # migrate, demo content, sample procedures
    python -m bench.inprocess measure    # prints the figures as one line of JSON

Each page gets a few untimed requests first (imports, templates, caches warm), then one whose
queries are counted, then the timed ones. The uncached page is measured with every cache
off, as its server serves it.
"""

import json
import os
import statistics
import sys
import time
from contextlib import nullcontext

from bench.load import percentile
from bench.pages import PAGES

WARM_UP = 3
REPEATS = int(os.environ.get("BENCH_RENDER_REPEATS", "40"))
CACHES_OFF = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def measure(page, repeats=REPEATS):
    from django.db import connection, reset_queries
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")

    def get():
        client.cookies.clear()  # a new visitor each time, as under load
        response = client.get(page.path)
        if response.status_code != 200:
            raise RuntimeError(f"{page.path} answered {response.status_code}")

    with override_settings(CACHES=CACHES_OFF) if page.caches_off else nullcontext():
        for _ in range(WARM_UP):
            get()
        reset_queries()  # a request clears the query log; start it empty so none is lost
        with CaptureQueriesContext(connection) as queries:
            get()
        query_count = len(queries)
        times, cpu_times = [], []
        for _ in range(repeats):
            began, began_cpu = time.perf_counter(), time.process_time()
            get()
            times.append((time.perf_counter() - began) * 1000)
            cpu_times.append((time.process_time() - began_cpu) * 1000)
    times.sort()
    return {
        "queries": query_count,
        "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 95),
        # The CPU time this process spent: unlike the clock, it leaves out the time the
        # process waited for a core that other programs (or other machines' guests) held.
        "cpu_median_ms": statistics.median(cpu_times),
    }


def main(command):
    import django

    django.setup()
    if command == "prepare":
        from bench import data

        data.prepare(out=sys.stderr)
    elif command == "measure":
        print(json.dumps({page.label: measure(page) for page in PAGES}))
    else:
        raise SystemExit(f"usage: python -m bench.inprocess prepare|measure, not {command!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
