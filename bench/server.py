"""The site under gunicorn for the bench, started as tests/servers.py starts it for the tests:
gunicorn.conf.py as shipped (gthread: 2 worker processes of 4 threads), a port of its own
(port 0, read back from gunicorn's log), stopped by its pid.

Also: the worker processes (the children of gunicorn's master) and their peak resident
memory (VmHWM in /proc/<pid>/status).
"""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests import servers

WORKERS = 2
THREADS = 4  # per worker; gunicorn.conf.py reads it from GUNICORN_THREADS


@dataclass
class Server:
    base_url: str
    master_pid: int

    def worker_pids(self):
        return sorted(children(self.master_pid))

    def peak_memory_mb(self):
        """{worker pid: its peak resident memory so far, in MB}."""
        return {pid: vm_hwm_kb(pid) / 1024 for pid in self.worker_pids()}


@contextmanager
def serve(env, workdir):
    """gunicorn serving the site with `env`; yields a Server once every worker has started."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**env, "GUNICORN_THREADS": str(THREADS), "WEB_CONCURRENCY": str(WORKERS)}
    # No control socket: its default path is shared by every gunicorn on the machine.
    with servers.gunicorn(env, workdir, "--no-control-socket", workers=WORKERS) as base_url:
        server = Server(base_url, int((workdir / "gunicorn.pid").read_text()))
        deadline = time.monotonic() + servers.START_TIMEOUT
        while len(server.worker_pids()) < WORKERS:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start {WORKERS} workers")
            time.sleep(0.1)
        yield server


def children(pid):
    """The pids of the processes whose parent is `pid`."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:  # the process ended meanwhile
            continue
        if int(fields.get("PPid", "0")) == pid:
            found.append(int(status.parent.name))
    return found


def vm_hwm_kb(pid):
    """A process's peak resident set size ("high water mark"), in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for process {pid}")
