"""`make bench`: what the site's main pages cost the server, against a bare Django view, in
one table. docs/benchmark.md says what each row measures and how to read it.

For each set-up, SQLite with the local-memory cache, then PostgreSQL with Redis (skipped,
with the reason, when they are not at 127.0.0.1:5432 and :6379; see bench/services.py):

1. A scratch database made for this run (a SQLite file in a temporary directory; a new
   PostgreSQL database `clinic_bench_<pid>`, dropped at the end) gets the demo content,
   1,000 sample procedures titled "Sample procedure 0001 (benchmark data)" and a built
   search index (bench/data.py). The developer's db.sqlite3 and DATABASE_URL are never
   touched. Both databases are loaded side by side before anything is measured.
2. In-process (bench/inprocess.py): each row's queries per request.
3. Three gunicorns at once, each with gunicorn.conf.py as shipped (gthread, 2 workers x 4
   threads, keep-alive): the bare Django view (bench/bare_settings.py: no middleware, no
   database, no cache), the site (production settings, every cache on) and the site with
   every cache off; and a publisher process beside them (bench/publish.py). Every row's
   answer is checked first, and again at the end (bench/checks.py): hits are hits, the
   misses are the kept page's HTML, the search finds the treatment, the bare view has no
   middleware.
4. Memory: the site's fresh workers serve a mixed load, every site row's address in turn with
   a publish every MEMORY_PUBLISH_EVERY requests: MEMORY_REQUESTS, then twice as many more;
   after each, the workers' peak resident memory.
5. Load: in LOAD_ROUNDS interleaved rounds (each round loads every row in turn, so a slow
   moment of the machine falls on all rows alike), each row gets WARM_UP_REQUESTS untimed
   requests, then SECONDS of wrk (-t2 -c16), or of bench/load.py when wrk is not installed;
   the "after a publish" row, one request at a time, each after a publish (bench/rows.py
   says why). Around each load point the workers' CPU time is read from /proc and their
   access log counted: CPU ms per request = CPU time used / requests answered. A row gives
   the median of its rounds. Ratios compare CPU per request with the bare view's, same
   set-up, same run: they hold on a busy machine and with the slower Python load generator,
   where requests per second do not.

Publishing: each set-up's database is first loaded with 100 sample procedures, and an
editor's publish is measured there (bench/inprocess.py `publishing`), then with all of them.

BENCH_LARGE=1 adds a third set-up, PostgreSQL + Redis with 10,000 sample procedures, measured
like the others.

Time: about 10 minutes on a 2-core machine (BENCH_LARGE: about 6 more). BENCH_SECONDS,
BENCH_LOAD_ROUNDS and BENCH_MEMORY_REQUESTS (0: no memory run) shorten a run while working on
the bench; its figures are then not comparable with a default run's. BENCH_LOAD=python uses
the Python load generator even when wrk is installed.
"""

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import checks, load, procstat, report, rows, services  # noqa: E402
from bench.data import SAMPLE_COUNT, SCRATCH_DIR_PREFIX  # noqa: E402
from bench.publish import Publisher  # noqa: E402
from bench.server import serve  # noqa: E402
from tests import servers  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "3"))
WARM_UP_REQUESTS = 50
MEMORY_REQUESTS = int(os.environ.get("BENCH_MEMORY_REQUESTS", "2000"))
MEMORY_PUBLISH_EVERY = 100
SEQUENTIAL_WARM_UP = 5
SEQUENTIAL = "one connection, a publish before each request"
LARGE = os.environ.get("BENCH_LARGE", "") == "1"
LARGE_SAMPLE_COUNT = 10_000
FIRST_SAMPLES = 100  # an editor's publish is measured with this many sample procedures too
STARTED = time.monotonic()


def say(message):
    """Progress, on stderr: the table alone goes to stdout."""
    print(f"[{time.monotonic() - STARTED:5.0f}s] {message}", file=sys.stderr, flush=True)


@dataclass
class Point:
    """One load point: what the load generator saw, and what the workers did."""

    load: load.LoadResult
    usage: object  # bench.server.Usage
    publishes: int = 0  # "visitors while publishing": the publishes during the point

    @property
    def cpu_ms(self):
        """Workers' CPU ms per request answered."""
        return self.usage.cpu_seconds * 1000 / self.usage.answered if self.usage.answered else 0.0

    @property
    def extra_cpu_ms(self):
        """Database and cache servers' CPU ms per request answered."""
        answered = self.usage.answered
        return self.usage.extra_cpu_seconds * 1000 / answered if answered else 0.0


@dataclass
class Setup:
    name: str
    kind: str  # "sqlite" or "postgresql": which targets apply
    workdir: Path
    env: dict
    database: str = ""  # PostgreSQL: the scratch database's name
    samples: int = SAMPLE_COUNT
    inprocess: dict = field(default_factory=dict)
    publishing: dict = field(default_factory=dict)  # samples -> an editor's publish, measured
    points: dict = field(default_factory=dict)  # row label -> [Point of each round]
    answers: dict = field(default_factory=dict)  # row label -> checks.Answer
    memory: list = field(default_factory=list)  # (requests, {worker pid: MB})

    def server_env(self, server):
        if server == "bare":
            return {**self.env, "DJANGO_SETTINGS_MODULE": "bench.bare_settings"}
        if server == "off":
            return {**self.env, "BENCH_CACHES_OFF": "1"}
        return self.env

    def service_processes(self):
        """The processes of the database and cache servers this set-up's site uses."""
        if not self.database:
            return []
        return procstat.postgres_backends(self.database) + procstat.redis_servers()


def environment(workdir, **changes):
    """The production environment of a deployment in `workdir`, with the bench's settings
    module, plain HTTP behind the (trusted) proxy header, and a secret key for this run."""
    not_inherited = ("CACHE_KEY_PREFIX", "BENCH_CACHES_OFF", "LOG_LEVEL", "GUNICORN_ACCESS_LOG")
    env = servers.production_env(
        workdir,
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        **changes,
    )
    return {k: v for k, v in env.items() if k not in not_inherited or k in changes}


def bench_python(args, env):
    """`python -m <args>` in the project directory; its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise RuntimeError(f"python -m {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(setups, static_env):
    """Load every set-up's database and collect the static files, all at once (nothing is
    measured meanwhile): first with FIRST_SAMPLES sample procedures, when an editor's publish
    is measured, one set-up at a time; then with all of them."""
    quiet = {"LOG_LEVEL": "WARNING", "DATABASE_STATEMENT_TIMEOUT": "0"}
    static = (
        f"collectstatic into {static_env['STATIC_ROOT']}",
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        {**static_env, **quiet},
    )
    for step, first in (("first", True), ("then", False)):
        jobs = [static] if first else []
        for setup in setups:
            samples = FIRST_SAMPLES if first else setup.samples
            jobs.append(
                (
                    f"{setup.name}: migrate, demo content, {samples:,} sample procedures, "
                    "search index",
                    [sys.executable, "-m", "bench.inprocess", "prepare", str(samples)],
                    {**setup.env, **quiet},
                )
            )
        run_at_once(jobs, step)
        if first:
            for setup in setups:
                say(f"{setup.name}: an editor's publish, {FIRST_SAMPLES} sample procedures")
                setup.publishing[FIRST_SAMPLES] = publishing(setup)


def run_at_once(jobs, step):
    running = []
    for what, command, env in jobs:
        say(f"preparing ({step}): {what}")
        output = tempfile.TemporaryFile(mode="w+")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        running.append((what, process, output))
    for what, process, output in running:
        if process.wait():
            output.seek(0)
            raise RuntimeError(f"{what} failed:\n{output.read()}")
        output.close()


def publishing(setup):
    quiet = {"LOG_LEVEL": "WARNING"}
    return json.loads(bench_python(["bench.inprocess", "publishing"], {**setup.env, **quiet}))


def check_rows(setup, started, publisher):
    for row in rows.ROWS:
        answer = checks.check(started[row.server].base_url, row, publish=publisher.publish)
        setup.answers[row.label] = answer


def memory_run(setup, server, publisher):
    """The site's workers, fresh, serve the mix of its rows, with a publish every
    MEMORY_PUBLISH_EVERY requests: MEMORY_REQUESTS requests, then twice as many more; their
    peak resident memory after each."""
    urls = [server.base_url + row.path for row in rows.MEMORY_MIX]
    done = 0
    for target in (MEMORY_REQUESTS, 3 * MEMORY_REQUESTS):
        say(f"{setup.name}: memory: mixed requests {done + 1:,} to {target:,}")
        while done < target:
            publisher.publish()
            chunk = min(MEMORY_PUBLISH_EVERY, target - done)
            result = load.python_load(urls, requests=chunk)
            if result.errors:
                raise RuntimeError(f"{result.errors} of the memory run's requests failed")
            done += chunk
        setup.memory.append((target, server.peak_memory_mb()))


def sequential_load(url, publisher, **amount):
    return load.one_at_a_time(
        url,
        before_each=publisher.publish,
        expect_headers={"X-Page-Cache": "miss"},
        **amount,
    )


def publishing_load(urls, publisher):
    """The mixed load for SECONDS while a sample treatment is published every PUBLISH_EVERY
    seconds from its start (at once after the last, should one take longer); (the load's
    result, how many publishes were done while it ran)."""
    stop, published = threading.Event(), []
    began = time.monotonic()

    def publish():
        while not stop.wait(
            max(0.0, began + rows.PUBLISH_EVERY * (len(published) + 1) - time.monotonic())
        ):
            publisher.publish_page()
            if not stop.is_set():
                published.append(True)

    thread = threading.Thread(target=publish)
    thread.start()
    try:
        result = load.python_load(urls, seconds=SECONDS, count_header="X-Page-Cache")
    finally:
        stop.set()
        thread.join()
    return result, len(published)


def load_point(setup, server, row, tool, round_number, publisher):
    url = server.base_url + row.path
    if row.expect == rows.WHILE_PUBLISHING:
        urls = [server.base_url + path for path in row.paths]
        publisher.publish_page()  # the publisher's first publish loads more of the code
        warm_up = load.python_load(urls, requests=WARM_UP_REQUESTS)
        if warm_up.errors:
            raise RuntimeError(f"{row.label}: {warm_up.errors} warm-up requests failed")
        say(f"{setup.name}: {row.label}: {load.describe('python', SECONDS)}, round {round_number}")
        before = server.mark()
        result, publishes = publishing_load(urls, publisher)
        setup.points.setdefault(row.label, []).append(
            Point(result, server.usage_since(before), publishes)
        )
        return
    if row.sequential:
        warm_up = sequential_load(url, publisher, requests=SEQUENTIAL_WARM_UP)
    else:
        warm_up = load.python_load(url, requests=WARM_UP_REQUESTS)
    if warm_up.errors:
        raise RuntimeError(f"{row.label}: {warm_up.errors} warm-up requests failed")
    how = SEQUENTIAL if row.sequential else load.describe(tool, SECONDS)
    say(f"{setup.name}: {row.label}: {how}, round {round_number}")
    before = server.mark()
    if row.sequential:
        result = sequential_load(url, publisher, seconds=SECONDS)
    else:
        result = load.run(url, SECONDS, tool=tool)
    setup.points.setdefault(row.label, []).append(Point(result, server.usage_since(before)))


def measure(setup, tool):
    say(f"{setup.name}: queries, and a miss after a publish, in-process")
    setup.inprocess = json.loads(bench_python(["bench.inprocess", "measure"], setup.env))
    say(f"{setup.name}: an editor's publish, {setup.samples:,} sample procedures")
    setup.publishing[setup.samples] = publishing(setup)
    with contextlib.ExitStack() as stack:
        publisher = stack.enter_context(Publisher({**setup.env, "LOG_LEVEL": "WARNING"}))
        started = {}
        for name in rows.SERVERS:
            say(f"{setup.name}: starting gunicorn: {name}")
            started[name] = stack.enter_context(
                serve(
                    setup.server_env(name),
                    setup.workdir / name,
                    extra_processes=setup.service_processes if setup.database else None,
                )
            )
        say(f"{setup.name}: checking every row's answer")
        check_rows(setup, started, publisher)
        if MEMORY_REQUESTS:
            memory_run(setup, started["site"], publisher)
        for round_number in range(1, LOAD_ROUNDS + 1):
            for row in rows.ROWS:
                load_point(setup, started[row.server], row, tool, round_number, publisher)
        say(f"{setup.name}: checking every row's answer again")
        check_rows(setup, started, publisher)


def postgres_setup(cleanup, workdir, suffix, samples):
    """A PostgreSQL + Redis set-up with `samples` sample procedures: a scratch database and
    Redis keys of its own, dropped and deleted on the way out."""
    name = f"clinic_bench_{os.getpid()}{suffix}"
    database_url = cleanup.enter_context(services.postgres_database(name))
    redis_url, prefix = cleanup.enter_context(services.redis_prefix(name))
    postgres_dir = workdir / f"postgresql{suffix}"
    label = "PostgreSQL + Redis" + (f", {samples:,} sample procedures" if suffix else "")
    return Setup(
        label,
        "postgresql",
        postgres_dir,
        environment(
            postgres_dir,
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            CACHE_KEY_PREFIX=prefix,
            STATIC_ROOT=str(workdir / "static"),
        ),
        database=name,
        samples=samples,
    )


def main():
    at_start = report.commit()
    workdir = Path(tempfile.mkdtemp(prefix=SCRATCH_DIR_PREFIX))
    tool = load.choose_tool()
    sqlite = Setup(
        "SQLite + local-memory cache",
        "sqlite",
        workdir / "sqlite",
        environment(
            workdir / "sqlite",
            DATABASE_URL=f"sqlite:///{workdir}/bench.sqlite3",
            STATIC_ROOT=str(workdir / "static"),
        ),
    )
    setups = [sqlite]
    skipped = services.unavailable()
    try:
        with contextlib.ExitStack() as cleanup:
            if skipped:
                say(f"PostgreSQL + Redis: skipped, {skipped}")
            else:
                sizes = [("", SAMPLE_COUNT)] + ([("_large", LARGE_SAMPLE_COUNT)] if LARGE else [])
                for suffix, samples in sizes:
                    setups.append(postgres_setup(cleanup, workdir, suffix, samples))
            prepare(setups, sqlite.env)
            for setup in setups:
                measure(setup, tool)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    settings = report.Settings(
        tool=tool,
        seconds=SECONDS,
        rounds=LOAD_ROUNDS,
        warm_up=WARM_UP_REQUESTS,
        samples=sorted({setup.samples for setup in setups}),
        memory_requests=MEMORY_REQUESTS,
        memory_publish_every=MEMORY_PUBLISH_EVERY,
        sequential=SEQUENTIAL,
        commit=at_start,
        took=time.monotonic() - STARTED,
    )
    report.print_report(setups, settings, skipped)


if __name__ == "__main__":
    main()
