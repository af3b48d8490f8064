"""`make bench`: what the site's main pages cost, served as in production, in one table.

For each set-up, SQLite with the local-memory cache, then PostgreSQL with Redis (skipped,
with the reason, when they are not at 127.0.0.1:5432 and :6379; see bench/services.py):

1. A scratch database made for this run (a SQLite file in a temporary directory; a new
   PostgreSQL database `clinic_bench_<pid>`, dropped at the end) gets the demo content and
   1,000 sample procedures titled "Sample procedure 0001 (benchmark data)" (bench/data.py).
   The developer's db.sqlite3 and DATABASE_URL are never touched.
2. In this machine's Python, each page's queries per request and its render time with
   Django's test Client (bench/inprocess.py): 5 rounds of 20 requests, each round taking
   every page in turn; a page's median and 95th percentile are those of its quietest round.
3. gunicorn as deployed, gunicorn.conf.py unchanged: gthread, 2 workers x 4 threads, with
   keep-alive. (Not 2 sync workers: production runs gthread, and sync workers close every
   connection, which would measure connection set-up rather than the site.) The settings are
   production's plus the minimal view (bench/settings.py, bench/urls.py). Each page is loaded
   for 10 seconds by wrk (-t2 -c16), or by bench/load.py when wrk is not installed, after 50
   untimed requests, in 3 interleaved rounds (each round loads every page in turn); a row
   gives the round with the median requests per second. The minimal view, a fixed 19 KB page
   behind the same middleware, is the ceiling: "x min" is a page's median requests per second
   over the minimal view's, in the same set-up of the same run, which stays meaningful on a
   busy machine or with the slower Python load generator.
4. "uncached": a second gunicorn with every cache off (BENCH_CACHES_OFF=1, Django's dummy
   cache), so Wagtail's page cache and any response cache miss on every request.
5. Memory: before its load points, the first gunicorn serves the cached prolotherapy page
   1,000, then 10,000, then 30,000 requests (exact counts, bench/load.py); after each, the
   workers' peak resident memory (VmHWM). The growth from 10,000 to 30,000 shows a leak.
   This takes minutes at the page's speed, so it runs on one set-up: PostgreSQL + Redis, as
   production, or SQLite when they are absent (BENCH_MEMORY=all: both).

Time: three rounds of 10-second load points (a virtual machine's speed can change for a
few seconds at a time, which one round would show as a slow page), and the two databases
loaded side by side before anything is measured: about 8.5 minutes on a 2-core machine,
the memory sequence included. A busy machine makes all of it slower and its figures noisier.
BENCH_SECONDS, BENCH_LOAD_ROUNDS, BENCH_RENDER_REPEATS and BENCH_MEMORY_AFTER shorten a run
while working on the bench; its figures are then not comparable with a default run's.
"""

import contextlib
import datetime
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import load, services  # noqa: E402
from bench.data import SAMPLE_COUNT, SCRATCH_DIR_PREFIX  # noqa: E402
from bench.pages import MINIMAL, PAGES, PROLOTHERAPY_CACHED  # noqa: E402
from bench.server import THREADS, WORKERS, serve  # noqa: E402
from tests import servers  # noqa: E402

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "3"))
WARM_UP_REQUESTS = 50
MEMORY_AFTER = tuple(
    int(n) for n in os.environ.get("BENCH_MEMORY_AFTER", "1000,10000,30000").split(",")
)
MEMORY_ON_ALL = os.environ.get("BENCH_MEMORY", "") == "all"
STARTED = time.monotonic()


def say(message):
    """Progress, on stderr: the table alone goes to stdout."""
    print(f"[{time.monotonic() - STARTED:5.0f}s] {message}", file=sys.stderr, flush=True)


@dataclass
class Setup:
    name: str
    workdir: Path
    env: dict
    measure_memory: bool = False
    inprocess: dict = field(default_factory=dict)
    loads: dict = field(default_factory=dict)  # page label -> [LoadResult of each round]
    sizes: dict = field(default_factory=dict)  # page label -> (plain bytes, gzip bytes or None)
    memory: list = field(default_factory=list)  # (requests, {worker pid: MB})


def environment(workdir, **changes):
    """The production environment of a deployment in `workdir`, with the bench's settings
    module, plain HTTP behind the (trusted) proxy header, and a secret key for this run."""
    not_inherited = ("CACHE_KEY_PREFIX", "BENCH_CACHES_OFF", "LOG_LEVEL")
    env = servers.production_env(
        workdir,
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="false",
        **changes,
    )
    return {k: v for k, v in env.items() if k not in not_inherited or k in changes}


def bench_python(args, env, log=None):
    """`python -m bench.<args>` in the project directory; its stdout."""
    result = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if log is not None:
        Path(log).write_text(result.stderr)
    if result.returncode:
        raise RuntimeError(f"python -m {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare(setups, static_env):
    """Load every set-up's database and collect the static files, all at once (nothing is
    measured meanwhile)."""
    quiet = {"LOG_LEVEL": "WARNING", "DATABASE_STATEMENT_TIMEOUT": "0"}
    jobs = [
        (
            f"collectstatic into {static_env['STATIC_ROOT']}",
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            {**static_env, **quiet},
        )
    ]
    for setup in setups:
        jobs.append(
            (
                f"{setup.name}: migrate, demo content, {SAMPLE_COUNT:,} sample procedures",
                [sys.executable, "-m", "bench.inprocess", "prepare"],
                {**setup.env, **quiet},
            )
        )
    running = []
    for what, command, env in jobs:
        say(f"preparing: {what}")
        output = tempfile.TemporaryFile(mode="w+")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
        running.append((what, process, output))
    for what, process, output in running:
        if process.wait():
            output.seek(0)
            raise RuntimeError(f"{what} failed:\n{output.read()}")
        output.close()


def page_url(server, page):
    return server.base_url + page.path


def page_size(server, page):
    """Bytes of the page's HTML, plain and, when the server compresses it, gzipped."""
    status, _, plain = servers.fetch(page_url(server, page))
    if status != 200:
        raise RuntimeError(f"{page.path} answered {status}")
    _, headers, body = servers.fetch(page_url(server, page), headers={"Accept-Encoding": "gzip"})
    compressed = headers.get("Content-Encoding") == "gzip"
    return len(plain), (len(body) if compressed else None)


def load_point(setup, server, page, tool, round_number):
    load.python_load(page_url(server, page), requests=WARM_UP_REQUESTS)
    say(
        f"{setup.name}: {page.label}: {load.describe(tool, SECONDS)}, "
        f"round {round_number} of {LOAD_ROUNDS}"
    )
    result = load.run(page_url(server, page), SECONDS, tool=tool)
    setup.loads.setdefault(page.label, []).append(result)


def median_round(results):
    """The round with the median requests per second (of an even number, the slower of the
    two in the middle)."""
    ordered = sorted(results, key=lambda result: result.per_second)
    return ordered[(len(ordered) - 1) // 2]


def memory_sequence(setup, server):
    done = 0
    for target in MEMORY_AFTER:
        say(f"{setup.name}: memory: prolotherapy (cached), requests {done + 1:,} to {target:,}")
        result = load.python_load(page_url(server, PROLOTHERAPY_CACHED), requests=target - done)
        if result.errors:
            raise RuntimeError(f"{result.errors} of the memory sequence's requests failed")
        done = target
        setup.memory.append((target, server.peak_memory_mb()))


def measure(setup, tool):
    say(f"{setup.name}: queries and render times, in-process")
    setup.inprocess = json.loads(bench_python(["bench.inprocess", "measure"], setup.env))
    for caches_off in (False, True):
        pages = [page for page in PAGES if page.caches_off == caches_off]
        env = {**setup.env, "BENCH_CACHES_OFF": "1"} if caches_off else setup.env
        say(f"{setup.name}: starting gunicorn{' with every cache off' if caches_off else ''}")
        with serve(env, setup.workdir / ("uncached" if caches_off else "cached")) as server:
            for page in pages:
                setup.sizes[page.label] = page_size(server, page)
            if setup.measure_memory and not caches_off:
                memory_sequence(setup, server)  # first, while the workers are new
            for round_number in range(1, LOAD_ROUNDS + 1):
                for page in pages:
                    load_point(setup, server, page, tool, round_number)


def main():
    workdir = Path(tempfile.mkdtemp(prefix=SCRATCH_DIR_PREFIX))
    tool = load.choose_tool()
    sqlite = Setup(
        "SQLite + local-memory cache",
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
                name = f"clinic_bench_{os.getpid()}"
                database_url = cleanup.enter_context(services.postgres_database(name))
                redis_url, prefix = cleanup.enter_context(services.redis_prefix(name))
                postgres_dir = workdir / "postgresql"
                setups.append(
                    Setup(
                        "PostgreSQL + Redis",
                        postgres_dir,
                        environment(
                            postgres_dir,
                            DATABASE_URL=database_url,
                            REDIS_URL=redis_url,
                            CACHE_KEY_PREFIX=prefix,
                            STATIC_ROOT=str(workdir / "static"),
                        ),
                    )
                )
            for setup in setups if MEMORY_ON_ALL else setups[-1:]:
                setup.measure_memory = True
            prepare(setups, sqlite.env)
            for setup in setups:
                measure(setup, tool)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(setups, tool, skipped)


def count_label(n):
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


def print_table(setups, tool, skipped):
    gzip_served = any(gz is not None for s in setups for _, gz in s.sizes.values())
    memory_setups = [s for s in setups if s.memory]
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"Clinic site benchmark, {when}, {os.cpu_count()} CPU cores")
    print(
        f"Server: gunicorn.conf.py as shipped, gthread: {WORKERS} workers x {THREADS} threads, "
        "keep-alive; production settings (bench/settings.py), DEBUG off"
    )
    print(
        f"Load: {load.describe(tool, SECONDS)} per row, Accept-Encoding: gzip, "
        f"{LOAD_ROUNDS} interleaved rounds, each after {WARM_UP_REQUESTS} untimed requests; "
        "render: Django test Client in-process"
    )
    print(f"Data: demo content + {SAMPLE_COUNT:,} sample procedures in a scratch database")
    print()

    columns = [
        ("page", 24, "<"),
        ("queries", 7, ">"),
        ("render ms", 9, ">"),
        ("p95 ms", 7, ">"),
        ("all ms", 6, ">"),
        ("cpu ms", 6, ">"),
        ("req/s", 7, ">"),
        ("x min", 6, ">"),
        ("load p99", 9, ">"),
        ("HTML B", 7, ">"),
    ]
    if gzip_served:
        columns.append(("gzip B", 7, ">"))
    if memory_setups:
        columns += [(f"MB@{count_label(n)}", 7, ">") for n in MEMORY_AFTER]

    def line(cells):
        return "  ".join(
            f"{cell:{align}{width}}" for cell, (_, width, align) in zip(cells, columns, strict=True)
        )

    header = line([name for name, _, _ in columns])
    print(header)
    print("-" * len(header))
    for setup in setups:
        print(setup.name)
        minimal = median_round(setup.loads[MINIMAL.label]).per_second
        for page in PAGES:
            inproc = setup.inprocess[page.label]
            result = median_round(setup.loads[page.label])
            plain, gz = setup.sizes[page.label]
            cells = [
                f"  {page.label}",
                str(inproc["queries"]),
                f"{inproc['median_ms']:.1f}",
                f"{inproc['p95_ms']:.1f}",
                f"{inproc['all_rounds_median_ms']:.1f}",
                f"{inproc['cpu_median_ms']:.1f}",
                f"{result.per_second:.0f}",
                f"{result.per_second / minimal:.2f}" if minimal else "-",
                f"{result.latency_ms.get(99, float('nan')):.0f} ms",
                f"{plain:,}",
            ]
            if gzip_served:
                cells.append(f"{gz:,}" if gz is not None else "-")
            if memory_setups:
                if page is PROLOTHERAPY_CACHED and setup.memory:
                    cells += [f"{max(mb.values()):.1f}" for _, mb in setup.memory]
                else:
                    cells += [""] * len(MEMORY_AFTER)
            print(line(cells))
    print("-" * len(header))

    notes = [
        "render ms, p95 ms: median and 95th percentile of in-process renders in the quietest "
        "of 5 rounds of 20; all ms: the median of all 5 rounds; cpu ms: the quietest round's "
        "median CPU time (the clock's time less any spent waiting for a core); queries: per "
        "request, counted in-process",
        f"req/s, load p99: under gunicorn, the round with the median req/s of {LOAD_ROUNDS}; "
        "x min: req/s over the minimal view's req/s, same set-up, same run",
        "uncached: a second gunicorn with every cache off (BENCH_CACHES_OFF=1: "
        "Django's dummy cache)",
    ]
    if not gzip_served:
        notes.append(
            "HTML B: the page as served; the server does not compress HTML (a proxy in front may)"
        )
    if tool == "python":
        notes.append(
            "the load came from bench/load.py (wrk is not installed, or BENCH_LOAD=python): "
            "slower than wrk, and it shares the CPU with the server; compare x min, not req/s"
        )
    for setup in memory_setups:
        (before, at_before), (after, at_after) = setup.memory[-2:]
        growth = ", ".join(
            f"worker {pid}: {at_after[pid] - at_before[pid]:+.1f} MB"
            for pid in sorted(at_after)
            if pid in at_before
        )
        notes.append(
            f"MB@: peak resident memory (VmHWM) of the larger of the {WORKERS} workers after that "
            f"many requests of prolotherapy (cached), {setup.name}; from "
            f"{count_label(before)} to {count_label(after)}: {growth}"
        )
    for setup in setups:
        for page in PAGES:
            results = setup.loads[page.label]
            errors = sum(result.errors for result in results)
            if errors:
                notes.append(
                    f"! {setup.name}, {page.label}: {errors:,} requests failed in "
                    f"{len(results)} rounds (no answer within {load.REQUEST_TIMEOUT} s, or not "
                    f"2xx/3xx); {sum(result.requests for result in results):,} were answered"
                )
    if skipped:
        notes.append(f"PostgreSQL + Redis: skipped, {skipped}")
    minutes, seconds = divmod(round(time.monotonic() - STARTED), 60)
    notes.append(f"The bench took {minutes} min {seconds:02d} s.")
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
