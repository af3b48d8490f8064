"""The site as it runs in production, for tests that break what it depends on: gunicorn with
the shipped config and the production settings, the task worker, and ports that refuse or
hang. Each process waits on readiness and is stopped by its own PID."""

import atexit
import contextlib
import functools
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management import call_command

from tests.conftest import need

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "localhost"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def hung_port():
    """A port that accepts connections (the kernel completes them) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


def dead_port():
    """A port nobody listens on: connections are refused."""
    return free_port()


def need_postgresql():
    need(
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
        "needs PostgreSQL (gunicorn and the worker share the test database): "
        "set DATABASE_URL=postgres://postgres@127.0.0.1:5432/clinic",
    )


def database_url():
    """The URL of the test database this process uses, for the processes it starts."""
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(**changes):
    """The environment of a production deployment on this machine; `changes` override it
    (None removes a variable)."""
    if "STATIC_ROOT" not in changes:
        changes["STATIC_ROOT"] = collected_static()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.production",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(dead_port()),
        "PYTHONUNBUFFERED": "1",
    }
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    return {name: value for name, value in env.items() if value != ""}


@functools.cache
def collected_static():
    """collectstatic once for every production server of the session."""
    root = Path(tempfile.mkdtemp(prefix="clinic-static-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT_ROOT,
        env=production_env(STATIC_ROOT=root),
        check=True,
        capture_output=True,
    )
    return root


def load_site():
    """The demo site, committed, for processes outside the test's transaction."""
    call_command("load_demo_content", stdout=open(os.devnull, "w"))


class Process:
    """A process of the site, with its output kept in files."""

    def __init__(self, name, args, env, workdir):
        self.name = name
        self.args = args
        self.env = env
        self.stdout_path = workdir / f"{name}.out"
        self.stderr_path = workdir / f"{name}.err"
        self.popen = None

    def start(self):
        self.popen = subprocess.Popen(
            self.args,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=self.stdout_path.open("wb"),
            stderr=self.stderr_path.open("wb"),
            start_new_session=True,
        )
        return self

    @property
    def pid(self):
        return self.popen.pid

    def stop(self, sig=signal.SIGTERM):
        if self.popen is None or self.popen.poll() is not None:
            return
        os.kill(self.pid, sig)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait()

    def kill(self):
        """Die at once, as a process the system kills (no clean-up of any kind)."""
        self.stop(signal.SIGKILL)

    @property
    def stderr(self):
        return self.stderr_path.read_text(errors="replace")


class Gunicorn(Process):
    """gunicorn with the shipped gunicorn.conf.py on a free port."""

    def __init__(self, env, workdir, *options):
        self.port = free_port()
        self.pid_file = workdir / "gunicorn.pid"
        super().__init__(
            "gunicorn",
            [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{self.port}"]
            + ["--pid", str(self.pid_file), *options],
            env,
            workdir,
        )

    def start(self):
        super().start()
        # Ready when a worker answers (a static file: no database, no cache).
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.request("GET", "/static/css/site.css", timeout=5).status == 200:
                    return self
            except OSError:
                pass
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.stderr}")
            time.sleep(0.1)

    @property
    def pid(self):
        if self.pid_file.exists():
            return int(self.pid_file.read_text())
        return self.popen.pid

    def request(self, method, path, fields=None, headers=None, timeout=30):
        return request(self.port, method, path, fields, headers, timeout)


class Response:
    def __init__(self, status, headers, body, seconds):
        self.status = status
        self.headers = headers
        self.body = body
        self.text = body.decode("utf-8", errors="replace")
        self.seconds = seconds


def request(port, method, path, fields=None, headers=None, timeout=30):
    """One HTTP request as a browser sends it over HTTPS behind the proxy, timed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
    body = None
    if fields is not None:
        body = urlencode(fields)
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.setdefault("Origin", f"https://{HOST}")
        all_headers.setdefault("Referer", f"https://{HOST}{path}")
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=all_headers)
        response = connection.getresponse()
        body = response.read()
        return Response(response.status, response.headers, body, time.monotonic() - started)
    finally:
        connection.close()


class Visitor:
    """A person with a browser: keeps cookies, fills in the contact form."""

    def __init__(self, server, forwarded_for=None):
        self.server = server
        self.cookies = {}
        self.headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}

    def request(self, method, path, fields=None, timeout=30):
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.server.request(method, path, fields, headers, timeout)
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def contact_form(self, **fields):
        """The contact form filled in and posted; the captcha's answer read from the
        database, as only a test may."""
        from captcha.models import CaptchaStore

        page = self.request("GET", "/contact/")
        assert page.status == 200, page.text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        key = re.search(r'name="captcha_0" value="([^"]+)"', page.text).group(1)
        data = {
            "csrfmiddlewaretoken": csrf,
            "name": "Ana Pereira",
            "email": "ana@example.org",
            "phone": "",
            "message": "Do you have parking near the clinic?",
            "no_medical_details": "on",
            "captcha_0": key,
            "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
            "website": "",
            **fields,
        }
        return self.request("POST", "/contact/", data)


def thanked(response):
    return response.status == 200 and "<h1>Thank you" in response.text.replace("\n", "")


class Worker(Process):
    """The task worker (`manage.py db_worker`), polling often."""

    def __init__(self, env, workdir):
        super().__init__(
            "worker",
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"],
            env,
            workdir,
        )


def wait_for(condition, timeout=60, what="the condition"):
    """Poll until `condition()` is true (readiness, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
