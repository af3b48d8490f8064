"""The table `make bench` prints, with the targets beside the figures, and its notes."""

import datetime
import os
import statistics
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench import load, rows
from bench.server import THREADS, WORKERS

ROOT = Path(__file__).resolve().parent.parent

# Page-cache hits: at least this share of the bare view's speed, by CPU per request
# (bare view's CPU ms per request / the row's).
HIT_TARGETS = {"sqlite": 0.5, "postgresql": 0.35}
# The treatment page's miss: at most this many times the bare view's CPU per request.
MISS_TARGET = 35


@dataclass
class Settings:
    tool: str
    seconds: int
    rounds: int
    warm_up: int
    samples: list  # the sample procedures of the set-ups, e.g. [1000, 10000]
    memory_requests: int
    memory_publish_every: int
    sequential: str  # how the "after a publish" row is loaded
    commit: str  # report.commit() when the run started
    took: float  # seconds


@dataclass
class Figures:
    """A row's figures: the median of its rounds."""

    per_second: float
    cpu_ms: float
    cpu_spread: float  # (highest - lowest) / median of the rounds' CPU ms per request
    extra_cpu_ms: float
    p99_ms: float
    errors: int
    answered: int
    workers_changed: bool


def figures(points):
    by_rate = sorted(points, key=lambda point: point.load.per_second)
    middle = by_rate[(len(by_rate) - 1) // 2]  # of an even number, the slower middle one
    cpu = [point.cpu_ms for point in points]
    cpu_ms = statistics.median(cpu)
    return Figures(
        per_second=statistics.median(point.load.per_second for point in points),
        cpu_ms=cpu_ms,
        cpu_spread=(max(cpu) - min(cpu)) / cpu_ms if cpu_ms else 0.0,
        extra_cpu_ms=statistics.median(point.extra_cpu_ms for point in points),
        p99_ms=middle.load.latency_ms.get(99, float("nan")),
        errors=sum(point.load.errors for point in points),
        answered=sum(point.usage.answered for point in points),
        workers_changed=any(point.usage.workers_changed for point in points),
    )


def target_of(row, kind):
    """(what the target says, a test of (ratio, times the bare view's CPU)) or None."""
    if row.target_kind == "hit":
        least = HIT_TARGETS[kind]
        return f"ratio >= {least:.2f}", lambda ratio, times: ratio >= least
    if row.target_kind == "miss":
        return f"<= {MISS_TARGET}x bare", lambda ratio, times: times <= MISS_TARGET
    return None


def commit():
    """The commit checked out, and the top-level folders with uncommitted changes, e.g.
    "1a2b3c4 + uncommitted changes in bench/, docs/"."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout.splitlines()
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    paths = [change[3:].split(" -> ")[-1].strip('"') for change in changes]
    folders = sorted({path.split("/")[0] + ("/" if "/" in path else "") for path in paths})
    return f"{head} + uncommitted changes in {', '.join(folders)}" if folders else head


def commits_measured(at_start, at_end):
    if at_start == at_end:
        return f"commit {at_start}"
    return f"commit {at_start} at the start, {at_end} at the end (the code changed meanwhile)"


COLUMNS = [
    ("row", 30, "<"),
    ("queries", 7, ">"),
    ("req/s", 6, ">"),
    ("CPU ms/req", 10, ">"),
    ("spread", 6, ">"),
    ("ratio", 5, ">"),
    ("x bare", 6, ">"),
    ("db+cache ms", 11, ">"),
    ("p99 ms", 6, ">"),
    ("sent B", 6, ">"),
    ("HTML B", 6, ">"),
    ("target", 15, "<"),
    ("met", 3, "<"),
]


def line(cells):
    return "  ".join(
        f"{cell:{align}{width}}" for cell, (_, width, align) in zip(cells, COLUMNS, strict=True)
    ).rstrip()


def setup_lines(setup):
    """The table's lines of one set-up, and [(row label, target, met)]."""
    lines, verdicts = [setup.name], []
    bare = figures(setup.points[rows.BARE_ROW.label])
    for row in rows.ROWS:
        row_figures = figures(setup.points[row.label])
        ratio = bare.cpu_ms / row_figures.cpu_ms if row_figures.cpu_ms else float("nan")
        times = row_figures.cpu_ms / bare.cpu_ms if bare.cpu_ms else float("nan")
        target = target_of(row, setup.kind)
        trustworthy = not row_figures.errors and not row_figures.workers_changed
        if target is None:
            target_text, met = "", ""
        else:
            target_text = target[0]
            met = "yes" if target[1](ratio, times) else "NO"
            if not trustworthy:
                met += "!"
            verdicts.append((row.label, target_text, met))
        answer = setup.answers[row.label]
        queries = setup.inprocess["queries"].get(row.label, "-")
        lines.append(
            line(
                [
                    f"  {row.label}",
                    str(queries),
                    f"{row_figures.per_second:.0f}{'*' if row.sequential else ''}",
                    f"{row_figures.cpu_ms:.2f}",
                    f"{100 * row_figures.cpu_spread:.0f}%",
                    f"{ratio:.2f}",
                    f"{times:.1f}",
                    f"{row_figures.extra_cpu_ms:.2f}" if setup.database else "-",
                    f"{row_figures.p99_ms:.0f}",
                    f"{len(answer.sent):,}",
                    f"{len(answer.html):,}",
                    target_text,
                    met,
                ]
            )
        )
    return lines, verdicts


def print_report(setups, settings, skipped):
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"Clinic site benchmark, {when}, {os.cpu_count()} CPU cores, "
        f"took {int(settings.took // 60)} min {round(settings.took % 60):02d} s"
    )
    print(f"Code: {commits_measured(settings.commit, commit())}")
    print(
        f"Servers: gunicorn.conf.py as shipped for all three (gthread, {WORKERS} workers x "
        f"{THREADS} threads, keep-alive): the bare Django view (bench/bare_settings.py), the "
        "site (production settings), the site with every cache off"
    )
    print(
        f"Load: {load.describe(settings.tool, settings.seconds)} per row and round, "
        f"Accept-Encoding: gzip; {settings.rounds} interleaved rounds, each load point after "
        f"{settings.warm_up} untimed requests"
    )
    sizes = " or ".join(f"{samples:,}" for samples in settings.samples)
    print(
        f"Data: demo content + {sizes} sample procedures in a scratch database (as the "
        "set-up's name says: 1,000 unless named), search index built"
    )
    print()
    header = line([name for name, _, _ in COLUMNS])
    print(header)
    print("-" * len(header))
    verdicts = []
    for setup in setups:
        lines, found = setup_lines(setup)
        print("\n".join(lines))
        verdicts += [(setup.name, *verdict) for verdict in found]
    print("-" * len(header))
    for note in notes(setups, settings, skipped):
        print(note)
    print()
    for line_ in publishing_lines(setups):
        print(line_)
    print()
    met = [verdict for verdict in verdicts if verdict[3] == "yes"]
    print(f"Targets met: {len(met)} of {len(verdicts)}")
    for name, label, target, verdict in verdicts:
        print(f"  {verdict:4} {name}: {label}: {target}")


def notes(setups, settings, skipped):
    found = [
        "req/s: requests answered per second, as the load generator counted them; CPU ms/req: "
        "the gunicorn workers' CPU time (user + system, /proc/<pid>/stat) over the requests "
        "they answered (access log); both the median of the rounds; spread: the rounds' "
        "highest CPU ms/req less their lowest, over the median",
        "ratio: the bare view's CPU ms/req over the row's (1.00 = as cheap as the bare view); "
        "x bare: the row's CPU ms/req in bare views (1 / ratio)",
        "db+cache ms: CPU ms/req of the PostgreSQL processes serving the bench's database and "
        "of the Redis server (all of it), which the workers' figure leaves out",
        "queries: per request, counted in-process (Django's test Client, caches warm)",
        "sent B: the body as sent to a client that takes gzip (page-cache copies are kept "
        "gzipped); HTML B: the page itself",
        f"miss, warm: the treatment page at ?{rows.MISS_PARAMETER}=1, which the page cache "
        "neither looks up nor keeps; the same HTML, every other cache warm (the article's "
        "fragment caches too)",
        "after publish: the treatment page at its own address, the content version moved on "
        "before each request (as by a publish): the kept copy and the article's fragment "
        f"caches are out of date; * {settings.sequential}, so its req/s is not comparable",
        "contact (GET): never kept (its form carries a CSRF token), so rendered on every "
        "request, caches warm; search: never kept (its query), rendered on every request",
    ]
    found.append(
        "treatments index, sitemap page, miss, warm: as the treatment page's, at their own "
        f"addresses with ?{rows.MISS_PARAMETER}=1 (the sitemap page: 1,000 addresses)"
    )
    for setup in setups:
        points = setup.points.get(rows.WHILE_PUBLISHING_ROW.label)
        if points:
            found.append(f"{setup.name}: {while_publishing_note(points)}")
    if settings.tool == "python":
        found.append(
            "the load came from bench/load.py (wrk is not installed, or BENCH_LOAD=python): "
            "it shares the CPU with the server, so req/s are low; CPU ms/req holds"
        )
    for setup in setups:
        if not setup.memory:
            continue
        (first, at_first), (last, at_last) = setup.memory
        workers = ", ".join(
            f"{at_first[pid]:.1f} -> {at_last[pid]:.1f} MB ({at_last[pid] - at_first[pid]:+.1f})"
            for pid in sorted(at_last)
            if pid in at_first
        )
        found.append(
            f"{setup.name}: memory, peak resident (VmHWM) of each site worker after "
            f"{first:,} and {last:,} mixed requests (every site row's address in turn, a "
            f"publish every {settings.memory_publish_every}): {workers}"
        )
    for setup in setups:
        for row in rows.ROWS:
            row_figures = figures(setup.points[row.label])
            if row_figures.errors:
                found.append(
                    f"! {setup.name}, {row.label}: {row_figures.errors:,} requests failed "
                    f"(no answer within {load.REQUEST_TIMEOUT} s, or not 2xx/3xx)"
                )
            if row_figures.workers_changed:
                found.append(
                    f"! {setup.name}, {row.label}: a worker exited or started during a load "
                    "point; its CPU figures are incomplete"
                )
    if skipped:
        found.append(f"PostgreSQL + Redis: skipped, {skipped}")
    return found


def while_publishing_note(points):
    """What the visitors met while an editor published: the answers by X-Page-Cache."""
    states, publishes = {}, sum(point.publishes for point in points)
    for point in points:
        for state, count in point.load.states.items():
            states[state] = states.get(state, 0) + count
    answered = sum(states.values()) or 1
    shares = ", ".join(
        f"{state} {100 * states.get(state, 0) / answered:.1f}%"
        for state in ("hit", "stale", "miss")
    )
    renders = states.get("miss", 0) / publishes if publishes else 0
    return (
        f"visitors while publishing: {rows.PUBLISHING_MIX} in turn, a sample treatment "
        f"published every {rows.PUBLISH_EVERY} s ({publishes} publishes in all): answers "
        f"{shares}; {renders:.1f} renders per publish"
    )


def publishing_lines(setups):
    """An editor publishing a treatment through the admin, with a CDN to purge."""
    found = [
        "An editor publishes a sample treatment through the admin (median of 5), a CDN "
        "configured: the editor's request (CPU ms, queries, tasks it queued), then the task "
        "worker (CPU ms for all of them: the CDN purge, the search index, the reference index) "
        "and the PURGE requests the CDN received"
    ]
    for setup in setups:
        for samples, figures in sorted(setup.publishing.items()):
            found.append(
                f"  {setup.name}; with {samples:,} sample procedures: request "
                f"{figures['request_cpu_ms']:.0f} ms CPU, {figures['request_queries']} queries, "
                f"{figures['tasks']} tasks queued; worker {figures['worker_cpu_ms']:.0f} ms CPU; "
                f"{figures['purges']} PURGE requests"
            )
    return found
