"""The benchmark's own parts: the load generators count what a server really answered, wrk's
report is read right, the CPU and memory readers read real processes, the bare view has no
middleware, each row's address answers what the row says it measures (a hit, a miss that is
the same page, a search that finds something), and the sample data goes only into a scratch
database, marked as benchmark data. No timing is asserted."""

import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import bare_settings, checks, data, inprocess, load, procstat, report, rows, services
from bench.bare_urls import PAGE as bare_page
from bench.run import Point
from bench.server import Usage, serve
from procedures.models import ProcedurePage
from tests import servers
from tests.conftest import need


class CountingServer(ThreadingHTTPServer):
    """A local HTTP/1.1 server that counts the requests it answers, the paths asked for and the
    connections they came on; /fail answers 500, /miss says `X-Page-Cache: miss`, and the bare
    view's path answers the bare page with a header only middleware would add."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.lock = threading.Lock()
        self.requests = 0
        self.paths = []
        self.connections = set()

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class CountingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self):
        with self.server.lock:
            self.server.requests += 1
            self.server.paths.append(self.path)
            self.server.connections.add(self.client_address)
        body = bare_page if self.path == rows.BARE_PATH else b"<p>Hello</p>"
        self.send_response(500 if self.path == "/fail" else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/miss":
            self.send_header("X-Page-Cache", "miss")
        if self.path == rows.BARE_PATH:
            self.send_header("X-Frame-Options", "DENY")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_python_load_generator_sends_exactly_the_requests_asked_for_on_kept_alive_connections():
    with CountingServer() as server:
        result = load.python_load(server.url(), requests=250, connections=4)

    assert server.requests == 250
    assert result.requests == 250
    assert result.errors == 0
    # Kept alive: at most one connection per load thread, not one per request.
    assert 1 <= len(server.connections) <= 4
    assert sorted(result.latency_ms) == [50, 90, 99]
    assert result.latency_ms[50] <= result.latency_ms[90] <= result.latency_ms[99]


def test_the_python_load_generator_reports_every_request_the_server_answered_in_its_time():
    with CountingServer() as server:
        result = load.python_load(server.url(), seconds=0.5, connections=3)

    assert result.requests == server.requests
    assert result.errors == 0


def test_the_python_load_generator_counts_error_answers():
    with CountingServer() as server:
        result = load.python_load(server.url("/fail"), requests=20, connections=2)

    assert server.requests == 20
    assert result.requests == 20
    assert result.errors == 20


WRK_REPORT = """\
Running 10s test @ http://127.0.0.1:8931/procedures/prolotherapy/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   112.09ms   51.10ms   1.05s    70.03%
    Req/Sec    71.58     20.75   120.00     67.00%
  Latency Distribution
     50%  112.11ms
     75%  135.96ms
     90%  174.72ms
     99%    1.26s
  1436 requests in 10.03s, 23.20MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:    143.17
Transfer/sec:      2.31MB
"""


def test_wrks_report_is_read_with_its_units():
    result = load.parse_wrk(WRK_REPORT)

    assert result.tool == "wrk"
    assert result.requests == 1436
    assert result.seconds == pytest.approx(10.03)
    assert result.errors == 7 + 2 + 3
    assert result.latency_ms == pytest.approx({50: 112.11, 90: 174.72, 99: 1260.0})


def test_a_report_without_a_request_count_is_an_error():
    with pytest.raises(ValueError, match="no request count"):
        load.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


SCRATCH_DIR = Path(tempfile.gettempdir()) / "clinic-bench-abc123"


@pytest.mark.parametrize(
    "settings_dict",
    [
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "/work/clinic/db.sqlite3"},
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"},
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(Path(tempfile.gettempdir()) / "clinic-test-1.sqlite3"),
        },
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SCRATCH_DIR / ".." / "other" / "bench.sqlite3"),
        },
        {"ENGINE": "django.db.backends.postgresql", "NAME": "clinic"},
        {"ENGINE": "django.db.backends.postgresql", "NAME": "clinic_bench"},
        {"ENGINE": "django.db.backends.postgresql", "NAME": "clinic_bench_12; drop"},
        {"ENGINE": "django.db.backends.mysql", "NAME": "clinic_bench_12"},
    ],
)
def test_the_bench_refuses_databases_it_did_not_make(settings_dict):
    assert data.scratch_database_problem(settings_dict)


@pytest.mark.parametrize(
    "settings_dict",
    [
        {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SCRATCH_DIR / "bench.sqlite3")},
        {"ENGINE": "django.db.backends.postgresql", "NAME": "clinic_bench_4242"},
    ],
)
def test_the_bench_accepts_its_scratch_databases(settings_dict):
    assert data.scratch_database_problem(settings_dict) is None


def test_the_sample_loader_leaves_the_test_database_alone(demo_content):
    before = list(ProcedurePage.objects.values_list("title", flat=True))

    with pytest.raises(data.NotScratchDatabase, match="Refusing to load benchmark data"):
        data.load_sample_procedures(3)
    with pytest.raises(data.NotScratchDatabase):
        data.prepare(samples=3)

    assert list(ProcedurePage.objects.values_list("title", flat=True)) == before


def test_sample_procedures_are_live_and_marked_as_benchmark_data(demo_content, monkeypatch, client):
    # As if this were the bench's scratch database.
    monkeypatch.setattr(data, "scratch_database_problem", lambda settings_dict: None)

    assert data.load_sample_procedures(3) == 3
    assert data.load_sample_procedures(3) == 0  # running it again adds none

    samples = ProcedurePage.objects.filter(title__startswith="Sample procedure").order_by("title")
    assert [page.title for page in samples] == [
        "Sample procedure 0001 (benchmark data)",
        "Sample procedure 0002 (benchmark data)",
        "Sample procedure 0003 (benchmark data)",
    ]
    assert {page.summary for page in samples} == {
        "Sample content for the benchmark; not a real treatment."
    }
    assert all(page.live for page in samples)
    listing = client.get("/procedures/")
    assert "Sample procedure 0001 (benchmark data)" in listing.content.decode()
    page = client.get(samples[0].url)
    assert page.status_code == 200
    assert "not a real treatment" in page.content.decode()


def test_a_mixed_load_asks_for_each_address_in_turn():
    with CountingServer() as server:
        urls = [server.url("/a"), server.url("/b"), server.url("/c")]
        result = load.python_load(urls, requests=90, connections=3)

    assert result.requests == 90
    assert {path: server.paths.count(path) for path in set(server.paths)} == {
        "/a": 30,
        "/b": 30,
        "/c": 30,
    }


def test_a_mixed_load_stays_on_one_server():
    with pytest.raises(ValueError, match="one server"):
        load.python_load(["http://127.0.0.1:1/", "http://127.0.0.1:2/"], requests=1)


def test_one_request_at_a_time_each_after_its_step_on_one_connection():
    steps = []
    with CountingServer() as server:
        result = load.one_at_a_time(
            server.url(), before_each=lambda: steps.append(server.requests), requests=5
        )

    assert steps == [0, 1, 2, 3, 4]  # each step before its request, after the one before
    assert result.requests == 5
    assert result.errors == 0
    assert len(server.connections) == 1


def test_one_at_a_time_counts_an_answer_without_the_expected_header_as_an_error():
    expect = {"X-Page-Cache": "miss"}
    with CountingServer() as server:
        misses = load.one_at_a_time(
            server.url("/miss"), before_each=lambda: None, requests=3, expect_headers=expect
        )
        others = load.one_at_a_time(
            server.url("/"), before_each=lambda: None, requests=3, expect_headers=expect
        )

    assert (misses.requests, misses.errors) == (3, 0)
    assert (others.requests, others.errors) == (3, 3)


def test_wrk_counts_no_more_requests_than_the_server_answered():
    if not load.wrk_installed():
        pytest.skip("needs wrk: apt-get install -y wrk (as root)")
    with CountingServer() as server:
        result = load.wrk(server.url(), 1, connections=2, threads=1)

    assert 0 < result.requests <= server.requests
    assert result.errors == 0


# What the kernel says about processes (/proc)

SPIN_IN_A_THREAD = """
import threading, time
def spin():
    end = time.thread_time() + 0.4
    while time.thread_time() < end:
        pass
thread = threading.Thread(target=spin)
thread.start()
thread.join()
print("spun", flush=True)
time.sleep(60)
"""


def test_the_cpu_reader_reads_a_real_processs_cpu_time_all_threads_counted():
    spinner = subprocess.Popen([sys.executable, "-c", SPIN_IN_A_THREAD], stdout=subprocess.PIPE)
    try:
        assert spinner.stdout.readline().strip() == b"spun"
        used = procstat.cpu_seconds(spinner.pid)
        assert 0.4 <= used < 10
        time.sleep(0.3)
        assert procstat.cpu_seconds(spinner.pid) - used < 0.05  # asleep: no more CPU
    finally:
        spinner.kill()
        spinner.wait()


def test_the_cpu_reader_agrees_with_the_process_itself():
    times = os.times()
    assert procstat.cpu_seconds(os.getpid()) == pytest.approx(times.user + times.system, abs=0.05)


def test_cpu_used_between_two_readings_counts_a_process_started_meanwhile_whole():
    before = {1: 2.0, 2: 1.0}
    after = {1: 2.5, 2: 1.0, 3: 0.25}
    assert procstat.used_since(before, after) == pytest.approx(0.75)


def test_a_child_process_and_its_peak_memory_are_found():
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import time; kept = b'x' * 60_000_000; print(1, flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        child.stdout.readline()
        assert child.pid in procstat.children(os.getpid())
        assert procstat.vm_hwm_kb(child.pid) >= 60_000
    finally:
        child.kill()
        child.wait()


# The bare view


def test_the_bare_settings_have_no_middleware_no_app_and_no_database():
    assert bare_settings.MIDDLEWARE == []
    assert bare_settings.INSTALLED_APPS == []
    assert bare_settings.DATABASES == {}
    assert bare_settings.ROOT_URLCONF == "bench.bare_urls"


def test_the_bare_views_check_refuses_a_header_only_middleware_adds():
    with CountingServer() as server:
        with pytest.raises(checks.CheckFailed, match="only middleware adds.*x-frame-options"):
            checks.check(server.url(""), rows.BARE_ROW)


@pytest.mark.slow
@pytest.mark.server
def test_gunicorn_serves_the_bare_view_without_middleware_and_the_bench_counts_its_work(tmp_path):
    env = servers.production_env(tmp_path, DJANGO_SETTINGS_MODULE="bench.bare_settings")
    with serve(env, tmp_path / "bare") as server:
        answer = checks.check(server.base_url, rows.BARE_ROW)  # no middleware's header
        before = server.mark()
        result = load.python_load(server.base_url + rows.BARE_PATH, requests=300, connections=4)
        usage = server.usage_since(before)
        workers = server.worker_pids()

    assert answer.html == bare_page
    assert len(workers) == 2
    assert (result.requests, result.errors) == (300, 0)
    assert usage.answered == 300  # the workers' access log, line by line
    assert usage.cpu_seconds > 0
    assert not usage.workers_changed


# What each row's address answers (the test settings' page cache, in-process)


def test_the_miss_rows_address_is_never_kept_and_renders_the_kept_page(client, demo_content):
    kept = client.get(rows.PROLOTHERAPY)
    assert client.get(rows.PROLOTHERAPY)["X-Page-Cache"] == "hit"

    for _ in range(2):
        miss = client.get(rows.PROLOTHERAPY_MISS.path)
        assert miss.status_code == 200
        assert "X-Page-Cache" not in miss

    assert miss.content == kept.content


def test_a_publish_makes_the_kept_page_a_miss(client, demo_content):
    client.get(rows.PROLOTHERAPY)
    assert client.get(rows.PROLOTHERAPY)["X-Page-Cache"] == "hit"

    inprocess.publish()

    assert client.get(rows.PROLOTHERAPY)["X-Page-Cache"] == "miss"
    assert client.get(rows.PROLOTHERAPY)["X-Page-Cache"] == "hit"


def test_the_search_check_accepts_results_that_hold_the_page(client, demo_content):
    html = client.get(rows.SEARCH_ROW.path).content

    checks.require_search_found(rows.SEARCH_ROW, html, rows.PROLOTHERAPY)


def test_the_search_check_refuses_an_empty_result(client, demo_content):
    html = client.get("/search/?q=xylophone").content
    assert "Nothing found" in html.decode()

    with pytest.raises(checks.CheckFailed, match="found nothing"):
        checks.require_search_found(rows.SEARCH_ROW, html, rows.PROLOTHERAPY)


def test_the_search_check_refuses_results_without_the_page(client, demo_content):
    html = client.get(rows.SEARCH_ROW.path).content

    with pytest.raises(checks.CheckFailed, match="do not include"):
        checks.require_search_found(rows.SEARCH_ROW, html, "/procedures/not-this-one/")


def test_the_search_index_is_built_only_in_a_scratch_database(demo_content):
    with pytest.raises(data.NotScratchDatabase):
        data.build_search_index()


# The table


def test_a_row_gives_the_median_of_its_rounds():
    def point(requests, answered, cpu_seconds):
        result = load.LoadResult("wrk", requests, 0, 10.0, {99: requests / 100})
        return Point(result, Usage(cpu_seconds, answered, 0.0, False))

    figures = report.figures(
        [point(1000, 1000, 1.0), point(3000, 3010, 6.02), point(2000, 2000, 3.0)]
    )

    assert figures.per_second == 200  # 100, 300, 200 requests a second
    assert figures.cpu_ms == pytest.approx(1.5)  # 1, 2, 1.5 ms per request answered
    assert figures.cpu_spread == pytest.approx((2 - 1) / 1.5)
    assert figures.p99_ms == 20  # the p99 of the round with the median rate
    assert figures.answered == 6010


@pytest.mark.parametrize(
    ("row", "kind", "ratio", "met"),
    [
        (rows.PROLOTHERAPY_HIT, "sqlite", 0.50, True),
        (rows.PROLOTHERAPY_HIT, "sqlite", 0.49, False),
        (rows.HOME_HIT, "postgresql", 0.35, True),
        (rows.HOME_HIT, "postgresql", 0.34, False),
        (rows.PROLOTHERAPY_MISS, "sqlite", 1 / 35, True),
        (rows.PROLOTHERAPY_PUBLISHED, "postgresql", 1 / 36, False),
    ],
)
def test_the_targets(row, kind, ratio, met):
    _, test = report.target_of(row, kind)
    assert test(ratio, 1 / ratio) is met


def test_the_table_names_the_commits_measured_and_says_when_the_code_changed():
    assert report.commits_measured("1a2b3c4", "1a2b3c4") == "commit 1a2b3c4"
    assert "changed meanwhile" in report.commits_measured("1a2b3c4", "5d6e7f8")
    assert report.commit().split()[0] != ""


def test_rows_without_a_target():
    assert report.target_of(rows.CONTACT, "sqlite") is None
    assert report.target_of(rows.BARE_ROW, "sqlite") is None


# PostgreSQL


@pytest.mark.services
def test_the_bench_database_is_made_and_dropped_and_its_server_processes_found():
    problem = services.unavailable()
    need(problem is None, f"needs PostgreSQL and Redis for the bench: {problem}")
    import psycopg

    name = f"clinic_bench_{os.getpid()}0"
    with services.postgres_database(name) as url:
        with psycopg.connect(url) as connection:
            connection.execute("SELECT 1")
            on_this_machine = any(
                procstat.command_line(pid).startswith("postgres") for pid in procstat.pids()
            )
            if on_this_machine:
                backends = procstat.postgres_backends(name)
                assert len(backends) == 1
                assert procstat.cpu_seconds(backends[0]) >= 0
    with psycopg.connect(services.POSTGRES_URL) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        assert found.fetchone() is None
