"""Uploaded files in an S3-compatible bucket, as on several hosts (docs/deploying.md,
"Uploaded files"): two gunicorns with the production settings, each with its own empty
MEDIA_ROOT, on one PostgreSQL database and one bucket, a real S3 API on loopback (moto's
server, in this process) with the bucket policy the guide gives.

An image uploaded by an editor through the first one's admin shows on a treatment page served
by the second, and its address in the bucket, and that of the size the page shows, answer
anyone with the image; a document stays private: it is not readable at its address in the
bucket, and the site sends it only to those who may see the page that uses it."""

import contextlib
import http.client
import io
import json
import re
import secrets
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from django.contrib.auth import get_user_model
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, PageViewRestriction

from procedures.models import ProcedurePage
from tests.conftest import need
from tests.live import HOST, Response, gunicorn, load_site, need_postgresql, production_env
from tests.servers import manage
from tests.servers import production_env as sqlite_production_env
from tests.test_private_documents import linking_page

try:
    from moto.server import ThreadedMotoServer
except ImportError:
    ThreadedMotoServer = None

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "deploying.md"
PROLOTHERAPY = "/procedures/prolotherapy/"
KEYS = {"AWS_ACCESS_KEY_ID": "test-key-id", "AWS_SECRET_ACCESS_KEY": "test-secret-key"}
EDITOR_PASSWORD = "editor-local-only"


def guide_bucket_policy(bucket_name):
    """The bucket policy of the guide's "Uploaded files" section, for `bucket_name`."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("\n### Uploaded files\n", 1)[1].split("\n### ", 1)[0]
    (policy,) = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
    assert "clinic-media" in policy
    return json.dumps(json.loads(policy.replace("clinic-media", bucket_name)))


class Bucket:
    """A bucket on a real S3 API (moto's server on 127.0.0.1), set up as the guide says."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.name = f"clinic-media-{uuid.uuid4().hex[:12]}"
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )
        self.client.create_bucket(Bucket=self.name)
        self.client.put_bucket_policy(Bucket=self.name, Policy=guide_bucket_policy(self.name))

    @property
    def env(self):
        """What the site's environment says for this bucket."""
        return {
            "AWS_STORAGE_BUCKET_NAME": self.name,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            **KEYS,
        }

    def url(self, name):
        """The address of `name` in the bucket, as anyone may guess it."""
        return f"{self.endpoint}/{self.name}/{name}"

    def read(self, name):
        """What the site's key reads at `name`."""
        return self.client.get_object(Bucket=self.name, Key=name)["Body"].read()


def anonymous_get(url):
    """(status, body) of a GET without any credentials, as a browser or a stranger sends it."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def bucket():
    need(ThreadedMotoServer, "needs moto's S3 server: pip install -r requirements-dev.txt")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield Bucket(f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def hosts(django_db_serialized_rollback, transactional_db, tmp_path, bucket, settings):
    """Two gunicorns of one process each, on the bucket, with MEDIA_ROOTs of their own.
    The editor's password is hashed as the production settings hash it (the tests' own
    settings use a quick hash that they do not read)."""
    need_postgresql()
    load_site()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    editor = get_user_model().objects.get(username="editor")
    editor.set_password(EDITOR_PASSWORD)
    editor.save()
    with contextlib.ExitStack() as stack:
        sites = []
        for number in (1, 2):
            workdir = tmp_path / f"host-{number}"
            media_root = workdir / "media"
            media_root.mkdir(parents=True)
            env = production_env(workdir, MEDIA_ROOT=media_root, **bucket.env)
            site = stack.enter_context(gunicorn(env, workdir, "--workers", "1"))
            site.media_root = media_root
            sites.append(site)
        yield sites
    for site in sites:
        assert list(site.media_root.iterdir()) == [], "nothing was written on a host's disk"


class Editor:
    """A member of staff in one host's admin, with the cookies a browser keeps."""

    def __init__(self, site):
        self.site = site
        self.cookies = {}

    def request(self, method, path, body=None, content_type=None):
        """One request as a browser sends it over HTTPS behind the proxy, with the cookies."""
        headers = {"Host": HOST, "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers.update(
                {
                    "Content-Type": content_type,
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}{path}",
                }
            )
        connection = http.client.HTTPConnection("127.0.0.1", self.site.port, timeout=60)
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(
                answer.status, answer.headers, answer.read(), time.monotonic() - started
            )
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response

    def token(self, path):
        page = self.request("GET", path)
        assert page.status == 200, page.text
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)

    def log_in(self):
        fields = {
            "csrfmiddlewaretoken": self.token("/admin/login/"),
            "username": "editor",
            "password": EDITOR_PASSWORD,
        }
        body, content_type = multipart(fields)
        response = self.request("POST", "/admin/login/", body, content_type)
        assert response.status == 302, response.text
        return self

    def upload(self, kind, title, filename, content):
        """Add an image or a document (`kind`: "images", "documents") as the admin's form does."""
        fields = {
            "csrfmiddlewaretoken": self.token(f"/admin/{kind}/add/"),
            "title": title,
            "collection": str(Collection.get_first_root_node().pk),
        }
        body, content_type = multipart(fields, file=(filename, content))
        response = self.request("POST", f"/admin/{kind}/add/", body, content_type)
        assert response.status == 302, response.text


def multipart(fields, file=None):
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if file:
        filename, content = file
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def png(width=1200, height=800):
    data = io.BytesIO()
    PILImage.new("RGB", (width, height), (160, 60, 40)).save(data, "PNG")
    return data.getvalue()


def test_an_image_uploaded_on_one_host_shows_on_another(hosts, bucket):
    first, second = hosts
    original = png()
    Editor(first).log_in().upload("images", "A knee", "knee.png", original)
    image = get_image_model().objects.get(title="A knee")
    assert image.file.name.startswith("original_images/knee")
    assert bucket.read(image.file.name) == original

    page = ProcedurePage.objects.get(slug="prolotherapy")
    page.image = image
    page.save_revision().publish()

    # The second host, which has never seen the file, shows a size of it made there, in the
    # bucket, at an address without a signature that the page's policy lets browsers load.
    response = second.request("GET", PROLOTHERAPY)
    assert response.status == 200, response.text
    prefix = re.escape(f"{bucket.endpoint}/{bucket.name}/images/knee")
    source = re.search(rf'<img [^>]*src="({prefix}[^"?]+)"', response.text).group(1)
    img_src = re.search(r"img-src ([^;]+)", response.headers["Content-Security-Policy"]).group(1)
    origin = urlsplit(bucket.endpoint)
    assert f"{origin.scheme}://{origin.netloc}" in img_src.split()

    status, body = anonymous_get(source)
    assert status == 200
    assert PILImage.open(io.BytesIO(body)).size == (960, 400)
    status, body = anonymous_get(bucket.url(image.file.name))
    assert status == 200
    assert body == original

    # The first host shows the same image, from the same address.
    assert source in first.request("GET", PROLOTHERAPY).text


def test_a_document_of_a_private_page_is_not_readable_anonymously(hosts, bucket):
    first, second = hosts
    content = b"Results of the 2026 audit of knee injections.\n"
    Editor(first).log_in().upload("documents", "Audit", "audit.txt", content)
    document = get_document_model().objects.get(title="Audit")
    assert bucket.read(document.file.name) == content

    private_page = linking_page(document, "Private treatment")
    PageViewRestriction.objects.create(
        page=private_page, restriction_type=PageViewRestriction.LOGIN
    )

    # Not at its address in the bucket...
    status, body = anonymous_get(bucket.url(document.file.name))
    assert status == 403
    assert content not in body
    # ...nor through either host: each asks a visitor to log in.
    for site in (first, second):
        refused = site.request("GET", document.url)
        assert refused.status == 302
        assert urlsplit(refused.headers["Location"]).path == "/_util/login/"
        assert content not in refused.body

    # Staff who may see the page get it from the other host, which reads it from the bucket.
    editor = Editor(second).log_in()
    sent = editor.request("GET", document.url)
    assert sent.status == 200
    assert sent.body == content


# The settings alone (no server): what each kind of bucket address gives.

SHOW_SETTINGS = """
from django.conf import settings
from django.core.files.storage import default_storage
print(default_storage.url("images/knee.fill-960x400.png"))
print(" ".join(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]))
"""


@pytest.mark.parametrize(
    "env, address",
    [
        (
            {"AWS_S3_REGION_NAME": "eu-west-2"},
            "https://clinic-media.s3.amazonaws.com/images/knee.fill-960x400.png",
        ),
        (
            {"AWS_S3_ENDPOINT_URL": "https://fra1.digitaloceanspaces.com"},
            "https://fra1.digitaloceanspaces.com/clinic-media/images/knee.fill-960x400.png",
        ),
        (
            {"AWS_S3_CUSTOM_DOMAIN": "media.clinic.example"},
            "https://media.clinic.example/images/knee.fill-960x400.png",
        ),
    ],
    ids=["aws", "another-provider", "cdn"],
)
def test_images_are_linked_where_the_policy_lets_browsers_load_them(tmp_path, env, address):
    env = sqlite_production_env(tmp_path, AWS_STORAGE_BUCKET_NAME="clinic-media", **KEYS, **env)
    url, img_src = manage(env, "shell", "-c", SHOW_SETTINGS).splitlines()[-2:]
    assert url == address
    origin = urlsplit(url)
    assert f"{origin.scheme}://{origin.netloc}" in img_src.split()


@pytest.mark.parametrize(
    "name, value",
    [
        ("AWS_S3_ENDPOINT_URL", "fra1.digitaloceanspaces.com"),
        ("AWS_S3_CUSTOM_DOMAIN", "https://media.clinic.example"),
    ],
)
def test_an_address_written_wrongly_stops_the_site(tmp_path, name, value):
    env = sqlite_production_env(tmp_path, AWS_STORAGE_BUCKET_NAME="clinic-media", **{name: value})
    with pytest.raises(RuntimeError) as caught:
        manage(env, "check")
    assert name in str(caught.value)
