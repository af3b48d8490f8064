"""Load generators: `wrk` when it is installed, else one in Python that the bench ships.

Both keep HTTP/1.1 connections alive, as browsers behind a proxy do, send the same headers,
and report the same things: requests answered, errors, seconds, requests per second and
latency percentiles (a LoadResult).

The Python generator runs one thread per connection, each with its own `http.client`
connection. It needs nothing beyond the standard library, but it is much slower than wrk:
it shares the 2 cores with the server and holds Python's global interpreter lock, so on a
fast page its requests per second measure the client as much as the server. The bench
compares rows by the workers' CPU time per request, which the load generator does not take.
It can also stop after an exact number of requests (wrk cannot), and take several addresses
in turn: the memory figures use both. `one_at_a_time` sends one request at a time on one
connection, with a step before each (the "after a publish" row publishes there).

wrk stops at its deadline without waiting for the requests still in hand, which the server
answers all the same; the bench counts the server's work from its access log, not from the
generator's figures.
"""

import http.client
import itertools
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# As a browser behind the site's HTTPS proxy (gunicorn trusts X-Forwarded-Proto from
# 127.0.0.1), taking gzip where the server offers it.
HEADERS = {"Host": "localhost", "X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
PERCENTILES = (50, 90, 99)
CONNECTIONS = 16
WRK_THREADS = 2
# Seconds a request may take before it counts as failed: gunicorn's own worker timeout
# (wrk's default, 2 s, would count a slow answer on a busy machine as an error).
REQUEST_TIMEOUT = 30


@dataclass
class LoadResult:
    tool: str
    requests: int  # responses received, whatever their status
    errors: int  # responses other than 2xx/3xx, and requests with no answer in time
    seconds: float
    latency_ms: dict = field(default_factory=dict)  # percentile -> milliseconds
    states: dict = field(default_factory=dict)  # python_load's count_header: value -> answers

    @property
    def per_second(self):
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_installed():
    return shutil.which("wrk") is not None


def describe(tool, seconds):
    if tool == "wrk":
        return f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s --timeout={REQUEST_TIMEOUT}s"
    return f"bench/load.py, {CONNECTIONS} keep-alive connections, {seconds} s"


def choose_tool():
    """wrk when installed, unless BENCH_LOAD=python asks for the Python generator."""
    if os.environ.get("BENCH_LOAD") == "python" or not wrk_installed():
        return "python"
    return "wrk"


def run(url, seconds, tool, headers=HEADERS):
    """Load `url` for `seconds` with `tool`: "wrk" or "python"."""
    if tool == "wrk":
        return wrk(url, seconds, headers=headers)
    return python_load(url, seconds=seconds, headers=headers)


def python_load(
    url,
    *,
    seconds=None,
    requests=None,
    connections=CONNECTIONS,
    headers=HEADERS,
    count_header=None,
):
    """GET `url` on `connections` keep-alive connections at once, for `seconds` or until
    `requests` requests have been sent (exactly that many: each takes a numbered ticket).

    `url` may be a list of addresses on one server: the requests then take them in turn
    (request n asks for address n modulo their number), a mixed load. With `count_header`,
    the answers are counted by that header's value (`states` of the result)."""
    if (seconds is None) == (requests is None):
        raise ValueError("give either seconds or requests")
    urls = [url] if isinstance(url, str) else list(url)
    parts = urlsplit(urls[0])
    if any(urlsplit(u).netloc != parts.netloc for u in urls):
        raise ValueError("a mixed load's addresses must all be on one server")
    targets = [
        urlsplit(u).path + (f"?{urlsplit(u).query}" if urlsplit(u).query else "") for u in urls
    ]
    tickets = itertools.count()
    turns = itertools.count()
    start_together = threading.Barrier(connections + 1)
    results = [_ConnectionResult() for _ in range(connections)]
    deadline = [0.0]

    def more():
        if requests is not None:
            return next(tickets) < requests
        return time.perf_counter() < deadline[0]

    def drive(result):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
        start_together.wait()
        try:
            while more():
                began = time.perf_counter()
                try:
                    target = targets[next(turns) % len(targets)]
                    connection.request("GET", target, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    result.failed += 1
                    connection.close()  # the next request opens a new connection
                    continue
                result.latencies.append(time.perf_counter() - began)
                if not 200 <= response.status < 400:
                    result.bad_status += 1
                if count_header:
                    state = response.getheader(count_header)
                    result.states[state] = result.states.get(state, 0) + 1
        finally:
            connection.close()

    threads = [threading.Thread(target=drive, args=(r,), daemon=True) for r in results]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + (seconds or 0)
    start_together.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began

    latencies = sorted(itertools.chain.from_iterable(r.latencies for r in results))
    states = {}
    for result in results:
        for state, count in result.states.items():
            states[state] = states.get(state, 0) + count
    return LoadResult(
        tool="python",
        requests=len(latencies),
        errors=sum(r.bad_status + r.failed for r in results),
        seconds=elapsed,
        latency_ms={p: percentile(latencies, p) * 1000 for p in PERCENTILES} if latencies else {},
        states=states,
    )


def one_at_a_time(
    url, *, before_each, seconds=None, requests=None, expect_headers=None, headers=HEADERS
):
    """GET `url` on one keep-alive connection, one request at a time, calling `before_each()`
    before each request, for `seconds` or `requests` requests. An answer whose headers are
    not `expect_headers` counts as an error. The latencies leave `before_each` out; the
    seconds (and so the requests per second) do not."""
    if (seconds is None) == (requests is None):
        raise ValueError("give either seconds or requests")
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
    latencies, errors, sent = [], 0, 0
    began = time.perf_counter()
    deadline = began + (seconds or 0)
    try:
        while (sent < requests) if requests is not None else (time.perf_counter() < deadline):
            before_each()
            sent += 1
            request_began = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                continue
            latencies.append(time.perf_counter() - request_began)
            unexpected = any(
                response.getheader(name) != value for name, value in (expect_headers or {}).items()
            )
            if unexpected or not 200 <= response.status < 400:
                errors += 1
    finally:
        connection.close()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return LoadResult(
        tool="python",
        requests=len(latencies),
        errors=errors,
        seconds=elapsed,
        latency_ms={p: percentile(latencies, p) * 1000 for p in PERCENTILES} if latencies else {},
    )


@dataclass
class _ConnectionResult:
    latencies: list = field(default_factory=list)
    bad_status: int = 0
    failed: int = 0
    states: dict = field(default_factory=dict)


def percentile(ordered, p):
    """The nearest-rank percentile of an ordered list."""
    rank = max(1, -(-len(ordered) * p // 100))  # ceiling of len * p / 100
    return ordered[min(len(ordered), rank) - 1]


def wrk(url, seconds, *, headers=HEADERS, connections=CONNECTIONS, threads=WRK_THREADS):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command += [f"--timeout={REQUEST_TIMEOUT}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    return parse_wrk(output)


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def _seconds(number, unit):
    return float(number) * _UNITS[unit]


def parse_wrk(output):
    """A LoadResult from wrk's report (run with --latency)."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output)
    if done is None:
        raise ValueError(f"wrk's report has no request count:\n{output}")
    errors = 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        errors += int(bad.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        errors += sum(int(n) for n in sockets.groups())
    latency = {
        int(p): _seconds(n, unit) * 1000
        for p, n, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
        if int(p) in PERCENTILES
    }
    return LoadResult(
        tool="wrk",
        requests=int(done.group(1)),
        errors=errors,
        seconds=_seconds(done.group(2), done.group(3)),
        latency_ms=latency,
    )
