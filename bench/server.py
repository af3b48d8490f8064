"""A gunicorn for the bench, started as tests/servers.py starts it for the tests:
gunicorn.conf.py as shipped (gthread: 2 worker processes of 4 threads, keep-alive), a port
of its own (port 0, read back from gunicorn's log), stopped by its pid. Every server of a run
(the bare view's and the site's) gets the same configuration; only the Django settings
module and the environment differ.

Each server writes its access log to a file of its own (gunicorn.conf.py's
GUNICORN_ACCESS_LOG), one line per request a worker answered: that is how the bench counts
what the workers did in a load point, including the requests a load generator gave up
waiting for when its time ran out.

What a load point costs the workers is read from /proc (bench/procstat.py): their CPU time
before and after it, once they are idle again.
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import procstat
from tests import servers

WORKERS = 2
THREADS = 4  # per worker; gunicorn.conf.py reads it from GUNICORN_THREADS
IDLE_POLL = 0.1  # seconds between readings while waiting for the workers to be idle
IDLE_READINGS = 3  # readings in a row without a change: idle
IDLE_TIMEOUT = 30


@dataclass
class Mark:
    """Where a server stood at one moment: its workers' CPU time and its access log's size."""

    cpu: dict  # worker pid -> CPU seconds
    log_bytes: int
    extra_cpu: dict  # pid of another process counted with it (a database backend) -> seconds


@dataclass
class Usage:
    """What a server's workers did between two Marks."""

    cpu_seconds: float
    answered: int  # requests the workers answered (access log lines)
    extra_cpu_seconds: float  # CPU time of the other processes counted (database, cache)
    workers_changed: bool  # a worker exited or was started meanwhile: the figures are off


@dataclass
class Server:
    base_url: str
    master_pid: int
    access_log: Path
    extra_processes: object = None  # () -> pids of other processes whose CPU is counted too

    def worker_pids(self):
        return sorted(procstat.children(self.master_pid))

    def peak_memory_mb(self):
        """{worker pid: its peak resident memory so far, in MB}."""
        return {pid: procstat.vm_hwm_kb(pid) / 1024 for pid in self.worker_pids()}

    def log_bytes(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def mark(self):
        extra = self.extra_processes() if self.extra_processes else []
        return Mark(
            cpu=procstat.cpu_of(self.worker_pids()),
            log_bytes=self.log_bytes(),
            extra_cpu=procstat.cpu_of(extra),
        )

    def wait_until_idle(self):
        """Wait until the workers' CPU time and the access log stop growing (the requests
        still in hand when a load generator stopped are answered and logged)."""
        last, steady = None, 0
        deadline = time.monotonic() + IDLE_TIMEOUT
        while steady < IDLE_READINGS and time.monotonic() < deadline:
            time.sleep(IDLE_POLL)
            reading = (procstat.cpu_of(self.worker_pids()), self.log_bytes())
            steady = steady + 1 if reading == last else 0
            last = reading

    def usage_since(self, before):
        """What the workers did since `before`, read once they are idle."""
        self.wait_until_idle()
        after = self.mark()
        answered = 0
        if self.access_log.exists():
            with self.access_log.open("rb") as log:
                log.seek(before.log_bytes)
                answered = log.read().count(b"\n")
        return Usage(
            cpu_seconds=procstat.used_since(before.cpu, after.cpu),
            answered=answered,
            extra_cpu_seconds=procstat.used_since(before.extra_cpu, after.extra_cpu),
            workers_changed=set(before.cpu) != set(after.cpu),
        )


@contextmanager
def serve(env, workdir, extra_processes=None):
    """gunicorn serving `env`'s DJANGO_SETTINGS_MODULE; yields a Server once every worker
    has started."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    access_log = workdir / "access.log"
    env = {
        **env,
        "GUNICORN_THREADS": str(THREADS),
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_ACCESS_LOG": str(access_log),
    }
    # No control socket: its default path is shared by every gunicorn on the machine.
    with servers.gunicorn(env, workdir, "--no-control-socket", workers=WORKERS) as base_url:
        master = int((workdir / "gunicorn.pid").read_text())
        server = Server(base_url, master, access_log, extra_processes)
        deadline = time.monotonic() + servers.START_TIMEOUT
        while len(server.worker_pids()) < WORKERS:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start {WORKERS} workers")
            time.sleep(0.1)
        yield server
