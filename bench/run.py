"""`make bench`: database queries and response times of the site's main pages.

Runs in-process against a fresh SQLite database (or DATABASE_URL, if set) loaded with the demo
content, using Django's test client: the figures measure the application (routing, queries,
templates), not a web server or network. Each timing is the median of many requests after a
warm-up, with Wagtail's own small lookups (site root paths) cached, as in production. Procedure
pages cache their rendered article ({% wagtailpagecache %}); they are measured both ways.
"""

import itertools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKDIR = tempfile.mkdtemp(prefix="clinic-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{WORKDIR}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic_site.settings.test")

import django  # noqa: E402

django.setup()

from bs4 import BeautifulSoup  # noqa: E402
from captcha.models import CaptchaStore  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from pagecache.models import new_content_version  # noqa: E402
from procedures.models import ProcedureIndexPage, ProcedurePage  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "50"))
rows = []


def measure(label, request, repeats=REPEATS, before=lambda: None):
    """Queries of one request, and the median and 95th percentile time of `repeats` more.

    `before` runs ahead of each request, untimed (to drop a cached fragment, say)."""
    request()  # warm-up: imports, template loading, process-wide caches
    before()
    reset_queries()  # a request clears the query log; start it empty so none is lost
    with CaptureQueriesContext(connection) as queries:
        response = request()
    query_count = len(queries)  # read now: later requests clear the log it reads from
    assert response.status_code in (200, 302), (label, response.status_code)
    times = []
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        request()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    rows.append((label, query_count, statistics.median(times), p95))


def measure_contact_posts(client, repeats=REPEATS):
    """Valid contact messages: each POST timed and counted alone (its captcha GET is not)."""
    counts, times = [], []
    for attempt in range(repeats + 1):
        page = BeautifulSoup(client.get("/contact/").content, "html.parser")
        key = page.find("input", attrs={"name": "captcha_0"})["value"]
        data = {
            "name": "Sample Patient",
            "email": "patient@example.org",
            "phone": "",
            "message": "Sample message for the benchmark.",
            "no_medical_details": "on",
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
            "website": "",
        }
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.post("/contact/", data, REMOTE_ADDR=f"198.51.100.{attempt}")
            elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200 and b"error-summary" not in response.content
        if attempt:  # the first is the warm-up
            counts.append(len(queries))
            times.append(elapsed)
    times.sort()
    rows.append(
        (
            "POST /contact/ (valid: stored, then mailed)",
            max(counts),
            statistics.median(times),
            times[min(len(times) - 1, int(len(times) * 0.95))],
        )
    )


def add_sample_procedures(index, count):
    existing = ProcedurePage.objects.filter(title__startswith="Sample treatment").count()
    for number in range(existing, count):
        page = index.add_child(
            instance=ProcedurePage(
                title=f"Sample treatment {number:03d}",
                summary="Sample content for the benchmark; not a real treatment.",
            )
        )
        page.save_revision().publish()


def main():
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("load_demo_content", "--no-accounts", stdout=open(os.devnull, "w"))
    client = Client(HTTP_HOST="localhost")

    for url in ("/", "/procedures/", "/contact/"):
        measure(f"GET {url}", lambda url=url: client.get(url))
    prolotherapy = "/procedures/prolotherapy/"
    measure(
        f"GET {prolotherapy} (rendered in full)",
        lambda: client.get(prolotherapy),
        before=new_content_version,  # drops the cached article
    )
    measure(f"GET {prolotherapy} (article cached)", lambda: client.get(prolotherapy))

    measure_contact_posts(client)
    addresses = (f"203.0.113.{n % 250}" for n in itertools.count())  # stay under the rate limit
    measure(
        "POST /contact/ (empty: errors shown)",
        lambda: client.post("/contact/", {}, REMOTE_ADDR=next(addresses)),
    )

    admin = get_user_model().objects.create_superuser("bench", "bench@clinic.example", "x")
    staff = Client(HTTP_HOST="localhost")
    staff.force_login(admin)
    index = ProcedureIndexPage.objects.get()
    for count in (10, 500):
        add_sample_procedures(index, count - 1)  # plus the prolotherapy page
        total = ProcedurePage.objects.count()
        measure(
            f"GET Treatments listing, {total} procedures",
            lambda: staff.get("/admin/procedures/procedurepage/"),
            repeats=10,
        )

    width = max(len(row[0]) for row in rows)
    print(f"{'request'.ljust(width)}  queries  median ms  p95 ms")
    for label, queries, median, p95 in rows:
        q = "" if queries is None else str(queries)
        m = "" if median is None else f"{median:.1f}"
        p = "" if p95 is None else f"{p95:.1f}"
        print(f"{label.ljust(width)}  {q:>7}  {m:>9}  {p:>6}")
    print(f"(database: {connection.vendor}; {REPEATS} timed requests each, after a warm-up)")


if __name__ == "__main__":
    main()
