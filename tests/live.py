"""The site as it runs in production, on the test's own PostgreSQL database and Redis, for
tests that break what it depends on: gunicorn with the shipped config (started by
tests/servers.py, which waits on readiness), the task worker, and ports that hang."""

import atexit
import contextlib
import functools
import http.client
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from tests import servers
from tests.conftest import load_demo_content, need

HOST = "localhost"


@contextlib.contextmanager
def hung_port():
    """A port that accepts connections (the kernel completes them) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


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


@functools.cache
def collected_static():
    """collectstatic once for every production server of the session."""
    root = Path(tempfile.mkdtemp(prefix="clinic-static-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    servers.manage(
        servers.production_env(root, STATIC_ROOT=str(root)), "collectstatic", "--noinput"
    )
    return root


def production_env(workdir, **changes):
    """The environment of a production deployment on the test database and Redis;
    `changes` override it."""
    return servers.production_env(
        workdir,
        **{
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "STATIC_ROOT": str(collected_static()),
            "EMAIL_HOST": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
            **{name: str(value) for name, value in changes.items()},
        },
    )


def load_site():
    """The demo site, committed, for processes outside the test's transaction."""
    load_demo_content()


class Site:
    """A site served by gunicorn (tests/servers.py) at `base_url`; its log in `workdir`."""

    def __init__(self, base_url, workdir):
        self.base_url = base_url
        self.port = urlsplit(base_url).port
        self.log_path = Path(workdir) / "gunicorn.log"

    def request(self, method, path, fields=None, headers=None, timeout=30):
        return request(self.port, method, path, fields, headers, timeout)

    @property
    def stderr(self):
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn(env, workdir, *args):
    with servers.gunicorn(env, workdir, *args) as base_url:
        yield Site(base_url, workdir)


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


class Worker:
    """The task worker (`manage.py db_worker`), polling often; its log in `workdir` (as
    `log_name`); `args` are more options (e.g. "--worker-id", "worker-1")."""

    def __init__(self, env, workdir, *args, log_name="worker.log"):
        self.env = env
        self.args = args
        self.log_path = Path(workdir) / log_name
        self.popen = None

    def start(self):
        self.popen = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.1", "--no-startup-delay"]
            + list(self.args),
            cwd=servers.PROJECT_ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=self.log_path.open("wb"),
        )
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.popen.poll() is None:
            self.popen.send_signal(sig)
            self.popen.wait(timeout=servers.REQUEST_TIMEOUT)

    def kill(self):
        """Die at once, as a process the system kills: no clean-up of any kind."""
        self.stop(signal.SIGKILL)

    @property
    def log(self):
        return self.log_path.read_text(errors="replace")


def wait_for(condition, timeout=60, what="the condition"):
    """Poll until `condition()` is true (readiness, not a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
