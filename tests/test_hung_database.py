"""A PostgreSQL that hangs, for real: a server of the test's own, stopped (SIGSTOP, as a stalled
disk or a frozen virtual machine stops it) while gunicorn holds connections to it, then
continued. Kept pages are served at once; every other request gets the 503 page with the
clinic's phone number within 5 seconds; the site recovers by itself and nothing is lost."""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from django.conf import settings

from tests import servers
from tests.conftest import need, need_redis
from tests.live import collected_static, gunicorn, thanked, wait_for

PROMISED_SECONDS = 5
KEPT = "/procedures/prolotherapy/"
RENDERED = "/contact/"  # never kept: its form carries a CSRF token
PHONE = "+44 20 7946 0000"  # the demo clinic's


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cluster_processes(data_dir):
    """The postmaster of the cluster in `data_dir` and every process it started."""
    postmaster = int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == postmaster:  # its parent
                children.append(int(stat.parent.name))
    return [postmaster, *children]


@contextlib.contextmanager
def postgresql_of_its_own():
    """A new PostgreSQL cluster on a free port (Debian's postgresql-common), trusted on
    loopback, dropped afterwards. Yields (database URL, data directory)."""
    need(
        shutil.which("pg_createcluster") and os.geteuid() == 0,
        "needs root and Debian's postgresql-common (apt-get install -y postgresql) to start "
        "a PostgreSQL server of the test's own",
    )
    version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    name = f"clinic_hang_{os.getpid()}"
    port = free_port()
    ctl = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name]
    subprocess.run(
        ["pg_createcluster", version, name, "-p", str(port), "--", "--auth=trust"],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run([*ctl, "start"], check=True, capture_output=True)
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as admin:
            admin.autocommit = True
            admin.execute("CREATE DATABASE clinic")
        yield (
            f"postgres://postgres@127.0.0.1:{port}/clinic",
            Path(f"/var/lib/postgresql/{version}/{name}"),
        )
    finally:
        subprocess.run([*ctl, "stop", "-m", "immediate"], capture_output=True)
        subprocess.run(["pg_dropcluster", version, name], capture_output=True)


@contextlib.contextmanager
def stopped(data_dir):
    """Every process of the cluster stopped, as a frozen machine is; continued afterwards."""
    processes = cluster_processes(data_dir)
    for pid in processes:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


def captcha_answer(database_url, key):
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
        return db.execute(
            "SELECT response FROM captcha_captchastore WHERE hashkey = %s", [key]
        ).fetchone()[0]


def send_message(site, database_url, message):
    page = site.request("GET", RENDERED)
    assert page.status == 200, page.text
    cookies = "; ".join(
        cookie.split(";", 1)[0] for cookie in page.headers.get_all("Set-Cookie") or []
    )
    key = re.search(r'name="captcha_0" value="([^"]+)"', page.text).group(1)
    fields = {
        "csrfmiddlewaretoken": re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text
        ).group(1),
        "name": "Ana Pereira",
        "email": "ana@example.org",
        "phone": "",
        "message": message,
        "no_medical_details": "on",
        "captcha_0": key,
        "captcha_1": captcha_answer(database_url, key),
        "website": "",
    }
    return site.request("POST", RENDERED, fields, {"Cookie": cookies})


def stored_messages(database_url):
    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as db:
        rows = db.execute("SELECT form_data FROM clinic_forms_contactsubmission").fetchall()
    return [data["message"] for (data,) in rows]


def test_with_postgresql_stopped_kept_pages_are_served_and_the_rest_get_the_503_page_at_once(
    tmp_path,
):
    need_redis()  # the content version and the 503 page's phone number are kept in Redis
    with postgresql_of_its_own() as (database_url, data_dir):
        env = servers.production_env(
            tmp_path,
            DATABASE_URL=database_url,
            REDIS_URL=settings.REDIS_URL,
            CACHE_KEY_PREFIX=f"hang-{os.getpid()}",
            STATIC_ROOT=str(collected_static()),
            EMAIL_HOST="127.0.0.1",
        )
        servers.manage(env, "migrate", "--noinput")
        servers.manage(env, "load_demo_content", "--no-accounts")
        with gunicorn(env, tmp_path) as site:
            # Every worker thread holds a kept connection; the page is kept in the cache.
            for _ in range(8):
                assert site.request("GET", RENDERED).status == 200
                assert site.request("GET", KEPT).status == 200
            assert site.request("GET", KEPT).headers["X-Page-Cache"] == "hit"
            assert thanked(send_message(site, database_url, "Sent before the outage"))

            with stopped(data_dir):
                kept = site.request("GET", KEPT)
                assert kept.status == 200 and kept.headers["X-Page-Cache"] == "hit"
                assert kept.seconds < 1
                with ThreadPoolExecutor(4) as pool:
                    answers = list(
                        pool.map(lambda _: site.request("GET", RENDERED, timeout=30), range(8))
                    )
                for answer in answers:
                    assert answer.status == 503, answer.text
                    assert answer.seconds < PROMISED_SECONDS
                    assert "Website temporarily unavailable" in answer.text
                    assert PHONE in answer.text
                    assert answer.headers["Retry-After"] == "60"
                assert "connection cut off" in site.stderr

            # Continued: the site answers again by itself, and takes messages.
            wait_for(lambda: site.request("GET", RENDERED).status == 200, timeout=30)
            assert thanked(send_message(site, database_url, "Sent after the outage"))
        assert sorted(stored_messages(database_url)) == [
            "Sent after the outage",
            "Sent before the outage",
        ]
