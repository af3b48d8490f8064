"""The nginx configuration that docs/deploying.md gives ("Reverse proxy"), run as written in
front of gunicorn with the production settings: slow clients hold nginx, not the site; each
visitor's own address reaches the site; HTTPS is seen as HTTPS; and nginx serves uploaded
images from MEDIA_ROOT, never the documents there.

The test reads the guide's ```nginx block and changes only what a test machine must (see
GUIDE_CHANGES, each checked to be found in the guide): the ports (its own, on 127.0.0.1, for
the guide's 80 and 443, and no IPv6 listener), the certificate (one made by trustme, whose
authority the test's client trusts, for Let's Encrypt's), gunicorn's address and MEDIA_ROOT.
The block goes in an `http` block as Debian's nginx.conf has it (mime.types, gzip on, which the
guide must turn off), beside what a standalone nginx needs to run from a temporary folder (pid,
logs, temporary files, in the foreground). Requests carry `Host: localhost` and origins
`https://localhost`, as a browser sends them to a site on the standard ports."""

import contextlib
import gzip
import http.client
import io
import os
import pwd
import re
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import trustme
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from forms.models import ContactSubmission
from procedures.models import ProcedurePage
from tests.conftest import need
from tests.live import (
    HOST,
    Response,
    Visitor,
    gunicorn,
    load_site,
    need_postgresql,
    production_env,
    thanked,
    wait_for,
)
from tests.test_private_documents import linking_page

NGINX = "/usr/sbin/nginx"
MIME_TYPES = "/etc/nginx/mime.types"
GUIDE = Path(__file__).resolve().parent.parent / "docs" / "deploying.md"
PROLOTHERAPY = "/procedures/prolotherapy/"


def need_nginx():
    need(
        os.access(NGINX, os.X_OK) and os.path.exists(MIME_TYPES),
        "needs nginx: apt-get install -y nginx (as root)",
    )


def guide_config():
    """The ```nginx block of the guide's "Reverse proxy" section, as written."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("\n### Reverse proxy\n", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```nginx\n(.*?)```", section, re.DOTALL)
    assert len(blocks) == 1, "the Reverse proxy section has one nginx configuration"
    return blocks[0]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# What the test changes in the guide's configuration, and to what (filled in per run).
GUIDE_CHANGES = [
    ("    listen [::]:80;\n", ""),
    ("    listen [::]:443 ssl http2;\n", ""),
    ("listen 80;", "listen 127.0.0.1:{http_port};"),
    ("listen 443 ssl http2;", "listen 127.0.0.1:{https_port} ssl http2;"),
    ("/etc/letsencrypt/live/clinic.example/fullchain.pem", "{certificate}"),
    ("/etc/letsencrypt/live/clinic.example/privkey.pem", "{private_key}"),
    ("http://127.0.0.1:8000", "{gunicorn}"),
    ("/srv/clinic/media/", "{media_root}/"),
]

MAIN_CONFIG = """\
daemon off;
worker_processes 1;
{user}
pid {workdir}/nginx.pid;
error_log {workdir}/error.log notice;
events {{
    worker_connections 512;
}}
http {{
    include {mime_types};
    default_type application/octet-stream;
    log_format upstream '$request_method $request_uri $status upstream=$upstream_addr';
    access_log {workdir}/access.log upstream;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    gzip on;

{site}
}}
"""


def configure(workdir, **values):
    """The guide's configuration with GUIDE_CHANGES made, in a main configuration."""
    site = guide_config()
    for old, new in GUIDE_CHANGES:
        assert old in site, f"the guide's nginx configuration no longer has {old!r}"
        site = site.replace(old, new.format(**values))
    # A master process started as root gives its workers to another user: the test's own,
    # which can read the test's folders.
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
    return MAIN_CONFIG.format(
        user=user, workdir=workdir, mime_types=MIME_TYPES, site=site.replace("\n", "\n    ")
    )


class Proxy:
    """nginx as the guide configures it, at https://localhost (and http:// for the redirect)."""

    def __init__(self, site, workdir, media_root):
        self.site = site
        self.workdir = Path(workdir)
        self.media_root = Path(media_root)
        self.http_port = free_port()
        self.https_port = free_port()
        self.authority = trustme.CA()
        self.context = ssl.create_default_context()
        self.authority.configure_trust(self.context)
        self.process = None

    @contextlib.contextmanager
    def running(self):
        for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / folder).mkdir(parents=True, exist_ok=True)
        certificate = self.authority.issue_cert(HOST, "127.0.0.1")
        certificate.private_key_pem.write_to_path(self.workdir / "key.pem")
        for blob in certificate.cert_chain_pems:
            blob.write_to_path(self.workdir / "cert.pem", append=True)
        config = self.workdir / "nginx.conf"
        config.write_text(
            configure(
                self.workdir,
                http_port=self.http_port,
                https_port=self.https_port,
                certificate=self.workdir / "cert.pem",
                private_key=self.workdir / "key.pem",
                gunicorn=self.site.base_url,
                media_root=self.media_root,
            )
        )
        command = [NGINX, "-c", str(config), "-p", f"{self.workdir}/"]
        command += ["-e", str(self.workdir / "error.log")]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        try:
            wait_for(self.listening, timeout=30, what="nginx to listen")
            yield self
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)

    def listening(self):
        if self.process.poll() is not None:
            raise AssertionError(f"nginx stopped:\n{self.error_log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.https_port)):
            return True
        return False

    def served_by(self, path):
        """Who answered each request for `path` (nginx's log): "gunicorn" or "nginx"."""
        log = (self.workdir / "access.log").read_text(errors="replace").splitlines()
        upstream = urlsplit(self.site.base_url).netloc
        return [
            "gunicorn" if line.endswith(f"upstream={upstream}") else "nginx"
            for line in log
            if line.split(" ")[1] == path
        ]

    @property
    def error_log(self):
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def request(self, method, path, fields=None, headers=None, timeout=30, source="127.0.0.1"):
        """One request over HTTPS, from the loopback address `source`, timed."""
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.https_port,
            timeout=timeout,
            context=self.context,
            source_address=(source, 0),
        )
        return send(connection, method, path, fields, headers)

    def plain_request(self, method, path):
        return send(
            http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=30), method, path
        )

    def visitor_from(self, source, forwarded_for=None):
        """A person (tests/live.py's Visitor) whose connections come from `source`."""

        class From:
            def request(_, method, path, fields=None, headers=None, timeout=30):
                return self.request(method, path, fields, headers, timeout, source=source)

        return Visitor(From(), forwarded_for=forwarded_for)


def send(connection, method, path, fields=None, headers=None):
    all_headers = {"Host": HOST, **(headers or {})}
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


@pytest.fixture
def proxied(django_db_serialized_rollback, transactional_db, tmp_path):
    """`proxied(*gunicorn_args, **env)`: the demo site under gunicorn (production settings,
    TRUSTED_PROXY_COUNT=1, MEDIA_ROOT in the test's folder) behind the guide's nginx."""
    need_nginx()
    need_postgresql()
    load_site()
    with contextlib.ExitStack() as stack:

        def start(*gunicorn_args, **env):
            media_root = tmp_path / "media"
            media_root.mkdir()
            workdir = tmp_path / "gunicorn"
            workdir.mkdir()
            env = production_env(workdir, MEDIA_ROOT=media_root, TRUSTED_PROXY_COUNT=1, **env)
            site = stack.enter_context(gunicorn(env, workdir, *gunicorn_args))
            return stack.enter_context(Proxy(site, tmp_path / "nginx", media_root).running())

        yield start


# Slow clients


class SlowClients:
    """`count` connections that send their requests a byte at a time, every `interval`
    seconds, and never finish within a test: half a GET whose headers trickle in, half a POST
    of the contact form whose headers come at once and whose body trickles. The POST's Origin
    and CSRF cookie pass Django's checks of the headers, so that the site, once it has the
    request, waits for the body (for the form's token)."""

    HEADERS = (
        f"GET / HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: slow\r\nX-Padding: {'a' * 400}\r\n\r\n"
    ).encode()
    POST = (
        f"POST /contact/ HTTP/1.1\r\nHost: {HOST}\r\nOrigin: https://{HOST}\r\n"
        f"Cookie: csrftoken={'a' * 32}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n"
    ).encode()

    def __init__(self, connect, count=50, interval=0.1, posts=True):
        self.connect = connect
        self.count = count
        self.posts = posts
        self.interval = interval
        self.sockets = []
        self.pending = {}
        self.failed = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)

    def __enter__(self):
        for number in range(self.count):
            sock = self.connect()
            if self.posts and number % 2:
                sock.sendall(self.POST)
                self.pending[sock] = b"name=" + b"a" * 99995
            else:
                self.pending[sock] = self.HEADERS
            self.sockets.append(sock)
        self.thread.start()
        return self

    def trickle(self):
        position = 0
        while not self.stopping.wait(self.interval):
            with self.lock:
                for sock in self.sockets:
                    if sock in self.failed or position >= len(self.pending[sock]):
                        continue
                    try:
                        sock.send(self.pending[sock][position : position + 1])
                    except OSError:
                        self.failed.append(sock)
            position += 1

    def answered(self):
        """How many connections the server has answered or closed (for TLS, what came back
        is more than the session tickets that follow the handshake)."""
        answered = 0
        with self.lock:
            for sock in self.sockets:
                sock.setblocking(False)
                try:
                    sock.recv(1)
                    answered += 1  # an answer, or b"": closed
                except (ssl.SSLWantReadError, BlockingIOError):
                    pass
                except OSError:
                    answered += 1
                finally:
                    sock.setblocking(True)
        return answered

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def test_slow_clients_hold_nginx_not_the_site(proxied):
    # One process of 4 threads (the shipped configuration runs 2): 50 slow clients are 12
    # times what it can hold, and which process takes which connection is left to chance.
    proxy = proxied("--workers", "1")
    paths = ["/", PROLOTHERAPY, "/contact/"]
    for path in paths:  # kept pages in the cache, as on a site that is being visited
        assert proxy.request("GET", path).status == 200

    def tls_connection():
        sock = socket.create_connection(("127.0.0.1", proxy.https_port))
        return proxy.context.wrap_socket(sock, server_hostname="127.0.0.1")

    with SlowClients(tls_connection) as slow:
        time.sleep(1)  # every one has begun sending
        timings = []
        for _ in range(3):
            for path in paths:
                response = proxy.request("GET", path, timeout=10)
                assert response.status == 200, response.text
                timings.append(response.seconds)
        print(f"\n  beside 50 slow clients: slowest of {len(timings)} answers {max(timings):.3f} s")
        assert max(timings) < 1
        assert slow.answered() == 0, "every slow client is still held open, still sending"

    # What nginx spares the site: slow clients straight at gunicorn take all its threads, and a
    # visitor is not answered. (GETs alone: the site would answer a POST that came without
    # X-Forwarded-Proto with a redirect to HTTPS at once.)
    def plain_connection():
        return socket.create_connection(("127.0.0.1", proxy.site.port))

    with SlowClients(plain_connection, posts=False):
        time.sleep(1)
        with pytest.raises(TimeoutError):
            proxy.site.request("GET", "/", timeout=2)


# The visitor's address


def test_each_visitors_own_address_reaches_the_site(proxied):
    # One process: its local-memory cache keeps the counts even without Redis.
    proxy = proxied("--workers", "1", CONTACT_RATE_LIMIT=2)
    ana = proxy.visitor_from("127.0.0.2")
    assert thanked(ana.contact_form(message="The first message"))
    assert thanked(ana.contact_form(message="The second message"))
    refused = ana.contact_form(message="The third message")
    assert refused.status == 429
    assert "You have sent several messages in a short time" in refused.text

    # An X-Forwarded-For header of her own does not make her someone else: nginx appends the
    # address it was reached from, and the site reads that one.
    forged = proxy.visitor_from("127.0.0.2", forwarded_for="203.0.113.9")
    assert forged.contact_form(message="A forged address").status == 429

    # Someone else, from another address, is not held up by her limit.
    assert thanked(proxy.visitor_from("127.0.0.3").contact_form(message="From elsewhere"))
    assert sorted(s.form_data["message"] for s in ContactSubmission.objects.all()) == [
        "From elsewhere",
        "The first message",
        "The second message",
    ]


# HTTPS


def set_cookie(response, name):
    cookies = [c for c in response.headers.get_all("Set-Cookie") or [] if c.startswith(f"{name}=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


def test_https_is_seen_as_https(proxied, settings):
    proxy = proxied()
    redirect = proxy.plain_request("GET", PROLOTHERAPY)
    assert redirect.status == 301
    assert redirect.headers["Location"] == f"https://{HOST}{PROLOTHERAPY}"

    # Over HTTPS the site answers the page itself: no redirect to where the visitor already is.
    page = proxy.request("GET", PROLOTHERAPY)
    assert page.status == 200
    assert "max-age=31536000" in page.headers["Strict-Transport-Security"]

    # A page with a form is not compressed (gzip off, where Debian's nginx.conf turns it on);
    # its cookie is sent for HTTPS only.
    contact = proxy.request("GET", "/contact/", headers={"Accept-Encoding": "gzip"})
    assert contact.status == 200
    assert "Content-Encoding" not in contact.headers
    assert "; Secure" in set_cookie(contact, "csrftoken")

    # Staff log in and stay logged in: the session cookie is HTTPS-only and comes back. (The
    # password hashed as the production settings hash it, not as the tests' quick settings.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = get_user_model().objects.get(username="editor")
    user.set_password("editor-local-only")
    user.save()
    editor = proxy.visitor_from("127.0.0.1")
    login = editor.request("GET", "/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    fields = {"csrfmiddlewaretoken": token, "username": "editor", "password": "editor-local-only"}
    answer = editor.request("POST", "/admin/login/?next=/admin/", fields)
    assert answer.status == 302, answer.text
    assert answer.headers["Location"] == "/admin/"
    session = set_cookie(answer, "sessionid")
    assert "; Secure" in session and "; HttpOnly" in session
    dashboard = editor.request("GET", "/admin/")
    assert dashboard.status == 200
    assert "Dashboard" in dashboard.text

    # Pages kept in the cache are gzipped by the site, and go through nginx as they are.
    proxy.request("GET", PROLOTHERAPY)
    kept = proxy.request("GET", PROLOTHERAPY, headers={"Accept-Encoding": "gzip"})
    assert kept.headers["X-Page-Cache"] == "hit"
    assert b"Side effects of prolotherapy" in gzip.decompress(kept.body)


# Uploaded files on one host


def png(width=1200, height=800):
    data = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 120, 160)).save(data, "PNG")
    return data.getvalue()


@pytest.fixture
def on_disk(settings):
    """Files written by this process go where the site's are: `on_disk(media_root)`."""

    def use(media_root):
        settings.MEDIA_ROOT = media_root
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        }

    return use


def test_nginx_serves_uploaded_images_and_never_documents_from_disk(proxied, on_disk):
    proxy = proxied()
    on_disk(proxy.media_root)
    original = png()
    image = get_image_model().objects.create(
        title="A knee", file=ImageFile(io.BytesIO(original), name="knee.png")
    )
    page = ProcedurePage.objects.get(slug="prolotherapy")
    page.image = image
    page.save_revision().publish()

    # The page, rendered by the site, shows a size of the image that the site made on disk...
    html = proxy.request("GET", PROLOTHERAPY).text
    source = re.search(r'<img [^>]*src="(/media/images/knee[^"]+)"', html).group(1)
    rendition = proxy.request("GET", source)
    assert rendition.status == 200
    assert rendition.headers["Content-Type"] == "image/png"
    assert "max-age=2592000" in rendition.headers["Cache-Control"]
    assert rendition.headers["X-Content-Type-Options"] == "nosniff"
    assert rendition.body == (proxy.media_root / source.removeprefix("/media/")).read_bytes()
    assert PILImage.open(io.BytesIO(rendition.body)).size == (960, 400)
    # ...and the original is there too, byte for byte: both sent by nginx, not the site.
    uploaded = proxy.request("GET", f"/media/{image.file.name}")
    assert uploaded.status == 200
    assert uploaded.body == original
    assert proxy.served_by(PROLOTHERAPY) == ["gunicorn"]
    assert proxy.served_by(source) == proxy.served_by(f"/media/{image.file.name}") == ["nginx"]

    # A document is on the same disk, but nginx never sends it: only the site does, at
    # /documents/, once it has checked who may read it.
    content = b"Results of the audit of knee injections.\n"
    document = get_document_model().objects.create(
        title="Audit", file=ContentFile(content, name="audit.txt")
    )
    assert (proxy.media_root / document.file.name).read_bytes() == content
    assert proxy.request("GET", f"/media/{document.file.name}").status == 404
    assert proxy.request("GET", "/media/").status == 404
    public = proxy.request("GET", document.url)
    assert public.status == 200
    assert public.body == content

    private_page = linking_page(document, "Private treatment")
    PageViewRestriction.objects.create(
        page=private_page, restriction_type=PageViewRestriction.LOGIN
    )
    refused = proxy.request("GET", document.url)
    assert refused.status == 302
    assert urlsplit(refused.headers["Location"]).path == "/_util/login/"
    assert proxy.request("GET", f"/media/{document.file.name}").status == 404
