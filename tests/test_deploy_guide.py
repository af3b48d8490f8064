"""The first deployment of docs/deploying.md, run as it is written, and the production settings
refusing to start the wrong way.

The guide's shell blocks under "First deployment" are read from the file and run in a copy of
the project, in order, each line as written: the environment file made from the committed
example and filled in for a scratch PostgreSQL database, the Redis of the tests and an SMTP
server on loopback (as an operator fills it in); the set-up commands in one shell on a
terminal, `createsuperuser` answered as a person types; then the two services, each started
as the guide's block says, with the environment loaded as it says. The site must then answer
through gunicorn as behind the guide's nginx, and a message sent with the contact form must be
stored and mailed by the worker to the mail server.
"""

import os
import re
import secrets
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from psycopg import sql

from tests import live, servers
from tests.conftest import need_redis
from tests.smtp import SMTPServer

PROJECT_ROOT = servers.PROJECT_ROOT
GUIDE = PROJECT_ROOT / "docs" / "deploying.md"
EXAMPLE = PROJECT_ROOT / "deploy" / "clinic.env.example"
VENV = Path(sys.executable).parent.parent
HOSTNAME = "clinic.example"
CLINIC_EMAIL = "reception@clinic.example"
# What the first administrator types at createsuperuser's questions.
ADMIN_ANSWERS = [
    (r"Username[^:]*: ", "firstadmin"),
    (r"Email address: ", "first-admin@clinic.example"),
    (r"Password: ", "a-long-unusual-passphrase-4817"),
    (r"Password \(again\): ", "a-long-unusual-passphrase-4817"),
]
# Files of the working tree that a deployment does not get from the repository.
NOT_DEPLOYED = {".venv", ".git", ".pytest_cache", ".ruff_cache", "test-results", "media"}
NOT_DEPLOYED |= {"collected-static", "db.sqlite3", "clinic.env", "__pycache__"}
TIMEOUT = 600


def guide_blocks(heading):
    """The text under `### heading` in docs/deploying.md (up to the next heading outside a
    code block), and its ```sh blocks in order."""
    lines, inside, in_code = [], False, False
    for line in GUIDE.read_text().splitlines(keepends=True):
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and re.match(r"#{1,3} ", line):
            if inside:
                break
            inside = line.strip() == f"### {heading}"
            continue
        if inside:
            lines.append(line)
    assert lines, f"docs/deploying.md has no section {heading!r}"
    section = "".join(lines)
    return section, re.findall(r"^```sh\n(.*?)^```", section, re.M | re.S)


def first_deployment():
    """(the section's text, the block making the environment file, the set-up block, the
    services block)."""
    section, blocks = guide_blocks("First deployment")
    assert len(blocks) == 3, "First deployment: the environment file, the set-up, the services"
    return section, *blocks


def set_up_lines(block):
    """The lines of the set-up block that prepare a shell: the virtual environment and the
    environment file. The guide says to start each service in a shell prepared so."""
    lines = [line for line in block.splitlines() if line.startswith((". ", "set -a"))]
    assert any(line.startswith("set -a") for line in lines), block
    return "\n".join(lines)


def filled_in(example, values):
    """The environment file as an operator fills it in: each line (or commented-out line) of
    a name in `values` given its value; names the example lacks added at the end."""
    lines, seen = [], set()
    for line in example.splitlines():
        match = re.fullmatch(r"(?:# )?([A-Z][A-Z0-9_]*)=.*", line)
        if match and match.group(1) in values:
            seen.add(match.group(1))
            line = f"{match.group(1)}={shlex.quote(values[match.group(1)])}"
        lines.append(line)
    lines += [f"{name}={shlex.quote(value)}" for name, value in values.items() if name not in seen]
    return "\n".join(lines) + "\n"


def shell_environment(home):
    """A login's environment, without this test run's settings: the guide's file gives them.
    pip may not download anything (everything is installed already)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
    }


def run_on_terminal(script, cwd, env, answers=(), timeout=TIMEOUT):
    """Run `script` with `sh -e` (stopping at the first command that fails) on a terminal of
    its own, as typed in one, answering each question in `answers` ((prompt pattern, text),
    in order) when it is asked. Returns (exit status, what the terminal showed)."""
    master, terminal = os.openpty()
    on_terminal = {"stdin": terminal, "stdout": terminal, "stderr": terminal}
    process = subprocess.Popen(
        ["sh", "-e", "-c", script], cwd=cwd, env=env, start_new_session=True, **on_terminal
    )
    os.close(terminal)
    shown, asked_from, pending = "", 0, list(answers)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([master], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal is closed: everything run from the script ended
                break
            if not chunk:
                break
            shown += chunk.decode(errors="replace")
            while pending and (question := re.search(pending[0][0], shown[asked_from:])):
                asked_from += question.end()
                os.write(master, f"{pending.pop(0)[1]}\n".encode())
        else:
            raise AssertionError(f"the set-up did not finish in {timeout} s:\n{shown}")
        return process.wait(timeout=60), shown
    finally:
        stop(process)
        os.close(master)


def stop(process):
    """Stop a process started in its own session, with everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=servers.REQUEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def scratch_database():
    """A new, empty PostgreSQL database on the tests' server; its URL. Dropped afterwards."""
    db = settings.DATABASES["default"]
    server = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    name = f"clinic_guide_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        yield f"postgres://{db['USER']}{password}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class Proxy:
    """Requests to gunicorn as the guide's nginx passes them on: Host the public name, over
    HTTPS, the client's address appended to X-Forwarded-For."""

    def __init__(self, port):
        self.port = port

    def request(self, method, path, fields=None, headers=None, timeout=30):
        proxied = {
            "Host": HOSTNAME,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.7",
            "Origin": f"https://{HOSTNAME}",
            "Referer": f"https://{HOSTNAME}{path}",
            **(headers or {}),
        }
        return live.request(self.port, method, path, fields, proxied, timeout)


class Deployment:
    """The copy of the project in `project`, run in shells whose environment is `env` and
    that are prepared with `prepare` (the guide's lines loading the virtual environment and
    the environment file)."""

    def __init__(self, project, env, prepare):
        self.project, self.env, self.prepare = project, env, prepare

    def python(self, code):
        """Run `code` with `manage.py shell`; its output."""
        script = f"{self.prepare}\npython manage.py shell -v 0 -c {shlex.quote(code)}"
        result = subprocess.run(
            ["sh", "-e", "-c", script],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    @contextmanager
    def service(self, command, log_path):
        """`command`, a line of the guide's services block, run in a prepared shell."""
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                ["sh", "-c", f"{self.prepare}\n{command}"],
                cwd=self.project,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            yield process
        finally:
            stop(process)

    def send_contact_message(self, site, message):
        """Fill in the contact form as a patient does; the captcha's answer read from the
        deployment's database, as only a test may."""
        visitor = live.Visitor(site)
        page = visitor.request("GET", "/contact/")
        assert page.status == 200, page.text
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        key = re.search(r'name="captcha_0" value="([^"]+)"', page.text).group(1)
        answer = self.python(
            "from captcha.models import CaptchaStore as C;"
            f"print(C.objects.get(hashkey={key!r}).response)"
        )
        fields = {"name": "Ana Pereira", "email": "ana@example.org", "phone": "", "website": ""}
        fields |= {"message": message, "no_medical_details": "on", "csrfmiddlewaretoken": csrf}
        return visitor.request(
            "POST", "/contact/", {**fields, "captcha_0": key, "captcha_1": answer}
        )


def copy_of_the_project(destination):
    """The project as a deployment gets it, with the tests' virtual environment as its own."""
    shutil.copytree(
        PROJECT_ROOT,
        destination,
        ignore=lambda folder, names: [n for n in names if n in NOT_DEPLOYED or n.endswith(".pyc")],
    )
    (destination / ".venv").symlink_to(VENV)
    return destination


def test_the_first_deployment_runs_as_the_guide_says(tmp_path):
    live.need_postgresql()
    need_redis()
    _, make_env_file, set_up, services = first_deployment()
    prepare = set_up_lines(set_up)
    project = copy_of_the_project(tmp_path / "clinic")
    (tmp_path / "home").mkdir()
    env = shell_environment(tmp_path / "home")
    smtp = SMTPServer()
    smtp.start()
    prefix = f"guide-{secrets.token_hex(4)}"
    try:
        with scratch_database() as database_url:
            # The environment file, made as the guide says, then filled in.
            result = subprocess.run(
                ["sh", "-e", "-c", make_env_file], cwd=project, env=env, capture_output=True
            )
            assert result.returncode == 0, result.stderr
            env_file = project / "clinic.env"
            assert env_file.read_text() == EXAMPLE.read_text()
            assert env_file.stat().st_mode & 0o077 == 0, "only the site's user may read it"
            env_file.write_text(
                filled_in(
                    env_file.read_text(),
                    {
                        "SECRET_KEY": secrets.token_urlsafe(50),
                        "SITE_HOSTNAME": HOSTNAME,
                        "ALLOWED_HOSTS": HOSTNAME,
                        "CSRF_TRUSTED_ORIGINS": f"https://{HOSTNAME}",
                        "CLINIC_NAME": "Guide Test Clinic",
                        "CLINIC_EMAIL": CLINIC_EMAIL,
                        "DATABASE_URL": database_url,
                        "REDIS_URL": settings.REDIS_URL,
                        "EMAIL_HOST": "127.0.0.1",
                        "EMAIL_PORT": str(smtp.port),
                        "EMAIL_USE_TLS": "false",
                        "EMAIL_HOST_USER": "",
                        "EMAIL_HOST_PASSWORD": "",
                        "GUNICORN_BIND": "127.0.0.1:0",
                        "WEB_CONCURRENCY": "1",
                        "GUNICORN_THREADS": "2",
                        "CACHE_KEY_PREFIX": prefix,
                    },
                )
            )
            assert "replace-with" not in env_file.read_text()

            # The set-up, in one shell on a terminal; createsuperuser asks its questions.
            status, shown = run_on_terminal(set_up, project, env, ADMIN_ANSWERS)
            assert status == 0, shown
            assert "Traceback" not in shown, shown
            assert "Superuser created successfully." in shown, shown
            assert (project / "collected-static" / "staticfiles.json").exists()

            # The two services, each started as its line of the guide says.
            deployment = Deployment(project, env, prepare)
            commands = [line for line in services.splitlines() if line.split("#")[0].strip()]
            assert [line.split()[0] for line in commands] == ["gunicorn", "python"], commands
            web_log, worker_log = tmp_path / "gunicorn.log", tmp_path / "worker.log"
            with (
                deployment.service(commands[0], web_log) as web,
                deployment.service(commands[1], worker_log),
            ):

                def listening():
                    assert web.poll() is None, web_log.read_text()
                    return servers.LISTENING.search(web_log.read_text())

                live.wait_for(listening, timeout=servers.START_TIMEOUT, what="gunicorn")
                site = Proxy(int(listening().group(1).rsplit(":", 1)[1]))
                for path, heading in [
                    ("/", "Guide Test Clinic"),
                    ("/procedures/", "Treatments"),
                    ("/contact/", "Contact us"),
                ]:
                    page = site.request("GET", path)
                    assert page.status == 200, (path, page.status, web_log.read_text())
                    assert heading in page.text, path

                text = "Do you have parking near the clinic? (sent after the first deployment)"
                sent = deployment.send_contact_message(site, text)
                assert live.thanked(sent), sent.text
                live.wait_for(lambda: smtp.envelopes, timeout=60, what="the clinic's mail")
                [envelope] = smtp.envelopes
                assert envelope.rcpt_tos == [CLINIC_EMAIL]
                [message] = smtp.messages
                assert text in message.get_body().get_content()
                assert deployment.python(
                    "from forms.models import ContactSubmission as S;"
                    "print(*[(s.form_data['message'], bool(s.notification_sent_at))"
                    " for s in S.objects.all()])"
                ) == str((text, True))
            assert text not in worker_log.read_text()
            assert "Traceback" not in web_log.read_text() + worker_log.read_text()
    finally:
        smtp.stop()
        cache = redis.Redis.from_url(settings.REDIS_URL)
        for key in cache.scan_iter(f"{prefix}:*"):
            cache.delete(key)


def test_the_environment_example_reads_the_same_in_a_shell_and_in_systemd():
    """Each line is a comment or NAME=value with a value that `sh` and systemd's
    EnvironmentFile read alike: plain, or in single quotes."""
    for line in EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*=([^\s'\"\\$`#]*|'[^']*')", line), line
    assert "DJANGO_SETTINGS_MODULE=clinic_site.settings.production\n" in EXAMPLE.read_text()


def test_the_systemd_units_run_the_services_of_the_guide():
    section, _, _, services = first_deployment()
    assert "EnvironmentFile=/srv/clinic/clinic.env" in section
    for line in services.splitlines():
        command = line.split("#")[0].strip()
        if command:
            assert f"ExecStart=/srv/clinic/.venv/bin/{command}\n" in section or (
                f"`ExecStart=/srv/clinic/.venv/bin/{command}`" in section
            ), command


# Production refuses to start the wrong way, saying which setting is missing.


def production_env(workdir, **changes):
    """The production environment of tests/servers.py with `changes` (None: unset)."""
    env = servers.production_env(workdir, **{k: v for k, v in changes.items() if v is not None})
    return {k: v for k, v in env.items() if changes.get(k, "") is not None}


def run_manage(workdir, *args, **changes):
    """`manage.py` under the production settings, with `changes` to their environment."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=production_env(workdir, **changes),
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"DATABASE_URL": None}, "DATABASE_URL must be set in the environment for production"),
        ({"DATABASE_URL": " "}, "DATABASE_URL must be set in the environment for production"),
        ({"EMAIL_HOST": None}, "EMAIL_HOST must be set in the environment for production"),
        ({"EMAIL_HOST": ""}, "EMAIL_HOST must be set in the environment for production"),
        ({"EMAIL_BACKEND": "console"}, "EMAIL_BACKEND=console prints each mail and sends none"),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
            "keeps each mail in memory and sends none",
        ),
        ({"EMAIL_BACKEND": "dummy"}, "EMAIL_BACKEND=dummy drops each mail and sends none"),
        ({"EMAIL_BACKEND": "filebased"}, "writes each mail to a file and sends none"),
        ({"EMAIL_BACKEND": "smtpx"}, "EMAIL_BACKEND must be smtp (the default) or the Python"),
    ],
)
def test_production_refuses_to_start_without_its_database_or_a_mail_server(
    tmp_path, changes, message
):
    result = run_manage(tmp_path, "check", **changes)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    imported = subprocess.run(
        [sys.executable, "-c", "import clinic_site.settings.production"],
        cwd=PROJECT_ROOT,
        env=production_env(tmp_path, **changes),
        capture_output=True,
        text=True,
    )
    assert imported.returncode != 0 and message in imported.stderr


def test_production_takes_an_smtp_server_or_another_backend_by_its_path(tmp_path):
    code = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST)"
    smtp = run_manage(tmp_path, "shell", "-v", "0", "-c", code, EMAIL_BACKEND=None)
    assert smtp.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "127.0.0.1"]
    # A mail service's own backend (not imported here) needs no EMAIL_HOST.
    service = "mail_service.backends.EmailBackend"
    other = run_manage(
        tmp_path, "shell", "-v", "0", "-c", code, EMAIL_BACKEND=service, EMAIL_HOST=""
    )
    assert other.stdout.split() == [service], other.stderr


def test_the_site_refuses_to_serve_static_files_never_collected(tmp_path):
    env = servers.production_env(tmp_path, STATIC_ROOT=str(tmp_path / "never-collected"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "clinic_deploy.E001" in result.stderr
    assert "python manage.py collectstatic --noinput" in result.stderr
    with pytest.raises(RuntimeError) as caught:
        with servers.gunicorn(env, tmp_path, workers=1):
            pass
    assert "python manage.py collectstatic --noinput" in str(caught.value)
    # Collected, the same settings pass.
    collected = servers.production_env(tmp_path, STATIC_ROOT=str(live.collected_static()))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=PROJECT_ROOT,
        env=collected,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "clinic_deploy" not in result.stderr


def test_gunicorn_refuses_to_start_without_a_database_url(tmp_path):
    env = production_env(tmp_path, DATABASE_URL=None)
    with pytest.raises(RuntimeError) as caught:
        with servers.gunicorn(env, tmp_path, workers=1):
            pass
    assert "DATABASE_URL must be set in the environment for production" in str(caught.value)
