"""The benchmark's own parts: the Python load generator counts what a server really answered,
wrk's report is read right, and the sample data goes only into a scratch database, marked
as benchmark data. No timing is asserted."""

import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import data, load, run
from procedures.models import ProcedurePage


class CountingServer(ThreadingHTTPServer):
    """A local HTTP/1.1 server that counts the requests it answers and the connections they
    came on; /fail answers 500."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), CountingHandler)
        self.lock = threading.Lock()
        self.requests = 0
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
            self.server.connections.add(self.client_address)
        body = b"<p>Hello</p>"
        self.send_response(500 if self.path == "/fail" else 200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
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


def test_a_row_gives_the_load_round_with_the_median_requests_per_second():
    def round_of(requests, p99):
        return load.LoadResult("wrk", requests, 0, 10.0, {99: p99})

    slow, middle, fast = round_of(500, 90.0), round_of(1500, 30.0), round_of(2000, 20.0)

    assert run.median_round([fast, slow, middle]) is middle  # its p99 goes with it
    assert run.median_round([fast, slow]) is slow
    assert run.median_round([middle]) is middle


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
