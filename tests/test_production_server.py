"""The production settings serve the site under gunicorn, with WhiteNoise serving static files."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, host="localhost"):
    request = urllib.request.Request(url, headers={"Host": host, "X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("production")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "clinic_site.settings.production",
        "SECRET_KEY": "a-test-secret-key-that-is-long-and-random-enough-0123456789",
        "ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"sqlite:///{workdir}/db.sqlite3",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
    }

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=env,
            check=True,
            capture_output=True,
        )

    manage("migrate", "--noinput")
    manage("load_demo_content")
    manage("collectstatic", "--noinput")
    port = free_port()
    pid_file = workdir / "gunicorn.pid"
    server = subprocess.Popen(
        [str(GUNICORN), "clinic_site.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--pid", str(pid_file)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            fetch(base + "/")
            break
        except OSError:
            time.sleep(0.2)
    yield base
    pid = int(pid_file.read_text()) if pid_file.exists() else server.pid
    os.kill(pid, 15)
    server.wait(timeout=10)


def test_pages_are_served(production_server):
    status, headers, body = fetch(production_server + "/procedures/prolotherapy/")
    assert status == 200
    assert b"Side effects of prolotherapy" in body
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_static_files_have_hashed_names_and_long_cache_lifetimes(production_server):
    _, _, body = fetch(production_server + "/")
    css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)
    assert css, "the stylesheet is linked by its hashed name"
    status, headers, _ = fetch(production_server + css.group(1).decode())
    assert status == 200
    assert "max-age=315360000" in headers["Cache-Control"]


def test_unknown_hosts_are_refused(production_server):
    status, _, _ = fetch(production_server + "/", host="attacker.example")
    assert status == 400


def test_plain_http_is_redirected_to_https(production_server):
    request = urllib.request.Request(production_server + "/", headers={"Host": "localhost"})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=10)
    assert caught.value.code == 301
    assert caught.value.headers["Location"] == "https://localhost/"
