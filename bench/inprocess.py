"""What each page costs inside Django, without a server: the queries of one request, and the
median and 95th percentile time and the median CPU time of many, through Django's test
Client in this process, on the same database and settings as the server (bench/settings.py).

bench/run.py runs it once per database, with that database's environment:

    python -m bench.inprocess prepare    # migrate, demo content, sample procedures
    python -m bench.inprocess measure    # prints the figures as one line of JSON

Each page gets a few untimed requests first (imports, templates, caches warm), then one whose
queries are counted. The timed requests come in rounds: each round times every page in turn,
so a moment when other programs (or, on a virtual machine, other guests) hold the cores
falls on all pages alike. A page's figures are those of its quietest round, the one with the
lowest median: the time the page itself takes, as timeit takes the best of its repeats. The
median of all its rounds is given too. The uncached page is measured with every cache off,
as its server serves it.
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
ROUNDS = 5
REPEATS = int(os.environ.get("BENCH_RENDER_REPEATS", "20"))  # timed requests per round
CACHES_OFF = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


class PageRenders:
    """One page's requests through the test Client, as a new visitor each time."""

    def __init__(self, page):
        from django.test import Client

        self.page = page
        self.client = Client(HTTP_HOST="localhost", HTTP_X_FORWARDED_PROTO="https")
        self.rounds = []  # per round: [(clock ms, CPU ms), ...]

    def settings(self):
        from django.test import override_settings

        return override_settings(CACHES=CACHES_OFF) if self.page.caches_off else nullcontext()

    def get(self):
        self.client.cookies.clear()  # a new visitor each time, as under load
        response = self.client.get(self.page.path)
        if response.status_code != 200:
            raise RuntimeError(f"{self.page.path} answered {response.status_code}")

    def count_queries(self):
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        with self.settings():
            for _ in range(WARM_UP):
                self.get()
            reset_queries()  # a request clears the query log; start it empty so none is lost
            with CaptureQueriesContext(connection) as queries:
                self.get()
        return len(queries)

    def time_round(self, repeats):
        timings = []
        with self.settings():
            self.get()  # untimed: the settings were just changed
            for _ in range(repeats):
                began, began_cpu = time.perf_counter(), time.process_time()
                self.get()
                timings.append(
                    ((time.perf_counter() - began) * 1000, (time.process_time() - began_cpu) * 1000)
                )
        self.rounds.append(timings)

    def figures(self):
        quietest = min(self.rounds, key=lambda timings: statistics.median(t for t, _ in timings))
        times = sorted(t for t, _ in quietest)
        return {
            "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 95),
            # The CPU time this process spent: unlike the clock, it leaves out the time the
            # process waited for a core that other programs held.
            "cpu_median_ms": statistics.median(cpu for _, cpu in quietest),
            "all_rounds_median_ms": statistics.median(t for r in self.rounds for t, _ in r),
        }


def measure(pages=PAGES, rounds=ROUNDS, repeats=REPEATS):
    """{page label: figures} for each page."""
    renders = [PageRenders(page) for page in pages]
    queries = {r.page.label: r.count_queries() for r in renders}
    for _ in range(rounds):
        for r in renders:
            r.time_round(repeats)
    return {r.page.label: {"queries": queries[r.page.label], **r.figures()} for r in renders}


def main(command):
    import django

    django.setup()
    if command == "prepare":
        from bench import data

        data.prepare(out=sys.stderr)
    elif command == "measure":
        print(json.dumps(measure()))
    else:
        raise SystemExit(f"usage: python -m bench.inprocess prepare|measure, not {command!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
