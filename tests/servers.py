"""The site served by gunicorn with the production settings, as a test starts it.

    env = production_env(workdir, SOME_SETTING="value")
    prepare_site(env)                      # migrate, demo content, collectstatic
    with gunicorn(env, workdir) as base_url:
        fetch(base_url + "/")

gunicorn binds port 0 and the port it got is read back from its "Listening at" line; its
stderr is copied to `workdir / "gunicorn.log"` as it comes (a chatty server never blocks on a
full pipe). Start-up waits until the server answers, and fails at once, with the log, if it
exits first.
"""

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
LISTENING = re.compile(r"Listening at: (http://127\.0\.0\.1:\d+)")
# Ceilings for a start-up or a request that hangs; a healthy one is done long before.
START_TIMEOUT = 120
REQUEST_TIMEOUT = 60


# What this process's environment must not pass on to a production server: its own database
# and cache, and the browser tests' DJANGO_ALLOW_ASYNC_UNSAFE, which production's deploy
# checks refuse (async.E001).
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")


def production_env(workdir, **changes):
    """The environment of a production deployment on a SQLite database in `workdir`."""
    workdir = Path(workdir)
    return {
        **{k: v for k, v in os.environ.items() if k not in NOT_INHERITED},
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.production",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
        "EMAIL_HOST": "127.0.0.1",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        **changes,
    }


def manage(env, *args):
    """Run `manage.py` with `env`; a failure raises with the command's output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_site(env):
    """Migrate, load the demo pages (no accounts: DEBUG is off) and collect static files, as
    a deployment does."""
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo_content", "--no-accounts")
    manage(env, "collectstatic", "--noinput")


def fetch(url, host="localhost", timeout=REQUEST_TIMEOUT, headers=None):
    """GET `url` as a browser behind an HTTPS proxy would: (status, headers, body)."""
    request = urllib.request.Request(
        url, headers={"Host": host, "X-Forwarded-Proto": "https", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class _LogCopier(threading.Thread):
    """Copies the server's stderr to a file line by line; `started` is set when the server
    says where it listens, or when its stderr closes (it exited)."""

    def __init__(self, stream, path):
        super().__init__(daemon=True)
        self.stream = stream
        self.path = path
        self.started = threading.Event()
        self.base_url = None

    def run(self):
        with open(self.path, "w") as log:
            for line in self.stream:
                log.write(line)
                log.flush()
                match = LISTENING.search(line)
                if match and self.base_url is None:
                    self.base_url = match.group(1)
                    self.started.set()
        self.started.set()


@contextmanager
def gunicorn(env, workdir, *args, workers=2):
    """Serve `clinic_site.wsgi` with `env` on a port of its own; yield the base URL.

    `args` go to gunicorn as they are (e.g. "--timeout", "5"). The pid is in
    `workdir / "gunicorn.pid"`, the log in `workdir / "gunicorn.log"`."""
    workdir = Path(workdir)
    pid_file = workdir / "gunicorn.pid"
    log_path = workdir / "gunicorn.log"
    process = subprocess.Popen(
        [str(GUNICORN), "clinic_site.wsgi", "--bind", "127.0.0.1:0"]
        + ["--workers", str(workers), "--pid", str(pid_file), *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    copier = _LogCopier(process.stderr, log_path)
    copier.start()
    try:
        if not copier.started.wait(START_TIMEOUT) or copier.base_url is None:
            raise RuntimeError(f"gunicorn did not start:\n{_read(log_path)}")
        base_url = copier.base_url
        # Workers load the site after "Listening at": the first answer, whatever its
        # status, says one is serving.
        try:
            fetch(base_url + "/")
        except OSError as error:
            raise RuntimeError(f"gunicorn did not answer ({error}):\n{_read(log_path)}") from None
        yield base_url
    finally:
        _stop(process, pid_file)
        copier.join(timeout=REQUEST_TIMEOUT)


def _stop(process, pid_file):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=REQUEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    pid_file.unlink(missing_ok=True)


def _read(path):
    return Path(path).read_text() if Path(path).exists() else ""
