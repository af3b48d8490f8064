"""The contact form at /contact/: what a person sees and what the clinic receives."""

import datetime
import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from captcha.models import CaptchaStore
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.contrib.forms.models import FormSubmission
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from forms.demo import load_contact_page
from forms.models import FORM_FIELD_CHOICES, ContactFormPage, ContactSubmission, FormField
from forms.ratelimit import RateLimit
from home.demo import load_home
from home.models import HomePage
from tests.conftest import need_redis
from tests.smtp import SMTPServer, refused_port, use_smtp_server

URL = "/contact/"
REQUIRED = ["name", "email", "message", "no_medical_details"]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback, with Django's mail settings pointing at it."""
    server = SMTPServer()
    server.start()
    use_smtp_server(settings, server)
    yield server
    server.stop()


@pytest.fixture
def contact_page(db):
    home, _site = load_home()
    return load_contact_page(home)


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def captcha_from(soup):
    """The captcha key in a rendered form, and its real answer (no test mode)."""
    key = soup.find("input", attrs={"name": "captcha_0"})["value"]
    return key, CaptchaStore.objects.get(hashkey=key).response


def form_data(client, **changes):
    """A complete, valid submission for a freshly fetched form; None removes a field."""
    key, answer = captcha_from(soup_of(client.get(URL)))
    data = {
        "name": "Ana Pereira",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0999",
        "message": "Do you have parking near the clinic?\nThank you.",
        "no_medical_details": "on",
        "captcha_0": key,
        "captcha_1": answer,
        "website": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def kept_value(soup, name):
    element = soup.find(attrs={"name": name})
    if element.name == "textarea":
        # A browser drops the newline that follows <textarea>.
        return element.get_text().removeprefix("\n")
    if element.get("type") == "checkbox":
        return element.has_attr("checked")
    return element.get("value", "")


def error_summary_links(soup):
    summary = soup.select_one(".error-summary")
    assert summary is not None, "no error summary"
    return {a["href"]: a.get_text(strip=True) for a in summary.find_all("a")}


# The page and its form


def test_demo_contact_page_is_at_contact_and_loading_twice_changes_nothing(contact_page):
    home, _site = load_home()
    again = load_contact_page(home)
    assert again.pk == contact_page.pk
    assert ContactFormPage.objects.count() == 1
    page = ContactFormPage.objects.get()
    assert page.url == URL
    assert page.show_in_menus and page.live
    fields = [(f.clean_name, f.field_type, f.required) for f in page.get_form_fields()]
    assert fields == [
        ("name", "singleline", True),
        ("email", "email", True),
        ("phone", "phone", False),
        ("message", "multiline", True),
        ("no_medical_details", "checkbox", True),
    ]
    assert page.to_address == "hello@clinic.example"
    assert "non-medical questions and correspondence only" in page.introduction


def test_form_marks_required_fields_and_uses_the_right_inputs(client, contact_page):
    response = client.get(URL)
    assert response.status_code == 200
    soup = soup_of(response)
    form = soup.find("form", class_="contact-form")
    assert form["action"] == URL and form["method"] == "post"
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is not None
    assert "* All indicated fields must be completed" in form.get_text(" ", strip=True)
    assert "non-medical questions and correspondence only" in soup.find("main").get_text()

    def label_for(name):
        element = form.find(attrs={"name": name})
        return form.find("label", attrs={"for": element["id"]})

    for name in REQUIRED:
        assert label_for(name).select_one(".required-marker") is not None, name
        assert "(required)" in label_for(name).get_text()
    assert label_for("phone").select_one(".required-marker") is None

    assert form.find("input", attrs={"name": "email"})["type"] == "email"
    assert form.find("input", attrs={"name": "phone"})["type"] == "tel"
    assert form.find("textarea", attrs={"name": "message"}) is not None
    checkbox = form.find("input", attrs={"name": "no_medical_details"})
    assert checkbox["type"] == "checkbox"
    # The tick box comes before its label.
    assert checkbox.find_next("label")["for"] == checkbox["id"]
    # A hint is tied to its input.
    hint = form.find(id=form.find("input", attrs={"name": "phone"})["aria-describedby"])
    assert "Optional" in hint.get_text()

    # The captcha: a picture with alt text, a visible label, a way to get a new picture.
    assert (
        label_for("captcha_1").get_text(strip=True).startswith("Type the characters in the picture")
    )
    image = form.select_one(".field--captcha img")
    assert image["src"].startswith("/captcha/image/") and image["alt"]
    refresh = form.find("button", attrs={"name": "refresh_captcha"})
    assert refresh.get_text(strip=True) == "Get a new picture"
    assert refresh["data-captcha-refresh"] == "/captcha/refresh/"
    assert soup.find("script", src="/static/js/captcha.js") is not None

    # The honeypot: hidden from people and from screen readers, out of the tab order.
    honeypot = form.find("input", attrs={"name": "website"})
    wrapper = honeypot.find_parent(class_="honeypot")
    assert wrapper["aria-hidden"] == "true"
    assert honeypot["tabindex"] == "-1" and honeypot["autocomplete"] == "off"
    assert "should be left unchanged" in wrapper.find("label").get_text()
    assert "no-store" in response["Cache-Control"]


# A valid message


def test_valid_message_is_stored_and_mailed_to_the_clinic_with_reply_to(
    client, contact_page, smtp_server
):
    data = form_data(client, message="Hello <b>there</b>\nSecond line")
    response = client.post(URL, data)

    soup = soup_of(response)
    assert soup.find("h1").get_text(strip=True) == "Thank you, your message has been sent"
    assert "within two working days" in soup.find("main").get_text()
    assert "emergency" in soup.find("main").get_text()

    submission = ContactSubmission.objects.get()
    assert submission.page_id == contact_page.pk
    assert submission.form_data == {
        "name": "Ana Pereira",
        "email": "ana@example.org",
        "phone": "+44 20 7946 0999",
        "message": "Hello <b>there</b>\nSecond line",
        "no_medical_details": True,
    }
    assert submission.notification_sent_at is not None
    assert submission.notification_attempts == 1
    assert submission.notification_error == ""
    assert not ContactSubmission.objects.pending().exists()

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == ["hello@clinic.example"]
    [message] = smtp_server.messages
    assert message["Reply-To"] == "ana@example.org"
    assert message["To"] == "hello@clinic.example"
    assert message["From"] == "website@clinic.example"
    assert message["Subject"] == "New message from the website"
    assert message.get_content_type() == "text/plain"
    body = message.get_content().replace("\r\n", "\n")
    assert "Ana Pereira" in body and "+44 20 7946 0999" in body
    assert "    Hello <b>there</b>\n    Second line" in body
    assert "captcha" not in body.lower() and "website" not in submission.form_data


def test_the_thank_you_page_is_never_cached(client, contact_page, smtp_server):
    response = client.post(URL, form_data(client))
    assert soup_of(response).find("h1").get_text(strip=True).startswith("Thank you")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_with_no_address_to_mail_the_message_is_kept_and_no_mail_is_tried(
    client, contact_page, smtp_server
):
    ContactFormPage.objects.filter(pk=contact_page.pk).update(to_address="")
    response = client.post(URL, form_data(client))

    assert soup_of(response).find("h1").get_text(strip=True).startswith("Thank you")
    submission = ContactSubmission.objects.get()
    assert submission.form_data["email"] == "ana@example.org"
    assert submission.pending
    assert "no address" in submission.notification_error
    assert smtp_server.envelopes == []


def test_fields_an_editor_names_website_or_captcha_are_the_persons_own(
    client, contact_page, smtp_server
):
    FormField.objects.create(page=contact_page, sort_order=10, label="Website", field_type="url")
    FormField.objects.create(
        page=contact_page, sort_order=11, label="Captcha", field_type="singleline"
    )

    def fresh_form():
        """The form's data, with the captcha (now "captcha_2") answered."""
        form = soup_of(client.get(URL)).find("form", class_="contact-form")
        key = form.find("input", attrs={"name": "captcha_2_0"})["value"]
        answer = CaptchaStore.objects.get(hashkey=key).response
        data = {"name": "Ana Pereira", "email": "ana@example.org", "message": "Hello"}
        data.update(website="https://ana.example/", captcha="blue")
        data.update(no_medical_details="on", captcha_2_0=key, captcha_2_1=answer, website_2="")
        return form, data

    form, data = fresh_form()
    # The editor's fields are shown as fields; the honeypot and the captcha take other names.
    assert form.find("input", attrs={"name": "website"}).find_parent(class_="field--input")
    assert form.find("input", attrs={"name": "captcha"}).find_parent(class_="field--input")
    assert form.find("input", attrs={"name": "website_2"}).find_parent(class_="honeypot")
    assert form.find("input", attrs={"name": "captcha_2_1"}).find_parent(class_="field--captcha")

    response = client.post(URL, data)

    assert soup_of(response).find("h1").get_text(strip=True).startswith("Thank you")
    submission = ContactSubmission.objects.get()
    assert submission.form_data["website"] == "https://ana.example/"
    assert submission.form_data["captcha"] == "blue"
    assert not {"website_2", "captcha_2"} & set(submission.form_data)
    assert len(smtp_server.envelopes) == 1

    # The renamed honeypot still catches a robot, and the renamed captcha is still checked.
    _form, robot = fresh_form()
    client.post(URL, {**robot, "website_2": "https://spam.example/"})
    _form, wrong = fresh_form()
    errors = error_summary_links(soup_of(client.post(URL, {**wrong, "captcha_2_1": "wrong"})))
    assert list(errors) == ["#id_captcha_2_1"]
    assert ContactSubmission.objects.count() == 1


# Problems with a submission


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_missing_required_field_is_an_error_and_the_rest_is_kept(
    client, contact_page, missing
):
    data = form_data(client)
    data.pop(missing)
    response = client.post(URL, data)

    assert ContactSubmission.objects.count() == 0
    soup = soup_of(response)
    links = error_summary_links(soup)
    assert list(links) == [f"#id_{missing}"]
    summary = soup.select_one(".error-summary")
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    assert summary.has_attr("autofocus")
    assert "There is a problem" in summary.get_text()
    assert soup.title.get_text().startswith("Error:")

    element = soup.find(id=f"id_{missing}")
    assert element["aria-invalid"] == "true"
    error = soup.find(id=f"id_{missing}_error")
    assert error.get_text(strip=True).endswith(links[f"#id_{missing}"])
    assert f"id_{missing}_error" in element["aria-describedby"].split()

    for name in REQUIRED + ["phone"]:
        if name != missing:
            expected = True if name == "no_medical_details" else data[name]
            assert kept_value(soup, name) == expected, name
            assert not soup.find(attrs={"name": name}).has_attr("aria-invalid")
    # The captcha answer is not kept: a new picture is shown.
    assert kept_value(soup, "captcha_1") == ""
    assert kept_value(soup, "captcha_0") != data["captcha_0"]


def test_wrong_captcha_is_refused_and_what_was_typed_is_kept(client, contact_page, smtp_server):
    data = form_data(client, captcha_1="wrong")
    soup = soup_of(client.post(URL, data))

    assert ContactSubmission.objects.count() == 0
    assert smtp_server.envelopes == []
    assert list(error_summary_links(soup)) == ["#id_captcha_1"]
    assert soup.find(id="id_captcha_1")["aria-invalid"] == "true"
    for name in ("name", "email", "phone", "message"):
        assert kept_value(soup, name) == data[name]
    assert kept_value(soup, "no_medical_details") is True
    assert kept_value(soup, "captcha_1") == ""

    # The used captcha cannot be tried again, even with the right answer.
    assert not CaptchaStore.objects.filter(hashkey=data["captcha_0"]).exists()


def test_honeypot_stores_and_mails_nothing_and_answers_as_for_a_real_message(
    client, contact_page, smtp_server
):
    robot = soup_of(client.post(URL, form_data(client, website="http://spam.example")))
    assert ContactSubmission.objects.count() == 0
    assert smtp_server.envelopes == []

    person = soup_of(client.post(URL, form_data(client)))
    assert ContactSubmission.objects.count() == 1
    assert robot.find("main").decode() == person.find("main").decode()
    assert robot.title.get_text() == person.title.get_text()


@pytest.mark.parametrize(
    "name, value",
    [
        ("name", "N" * 201),
        ("email", "a" * 64 + "@" + "b" * 190 + ".example"),
        ("phone", "0" * 41),
        ("message", "m" * 5001),
    ],
)
def test_over_long_field_is_an_error_on_the_field(client, contact_page, name, value):
    data = form_data(client, **{name: value})
    response = client.post(URL, data)

    assert response.status_code == 200
    assert ContactSubmission.objects.count() == 0
    soup = soup_of(response)
    links = error_summary_links(soup)
    assert list(links) == [f"#id_{name}"]
    assert soup.find(id=f"id_{name}")["aria-invalid"] == "true"
    assert kept_value(soup, name) == value
    # No maxlength attribute: a pasted message is never silently cut short.
    assert not soup.find(attrs={"name": name}).has_attr("maxlength")


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("email", "ana@", "correct format"),
        ("phone", "call me maybe", "Enter a phone number"),
        ("phone", "12", "Enter a phone number"),
    ],
)
def test_email_and_phone_are_validated(client, contact_page, name, value, message):
    soup = soup_of(client.post(URL, form_data(client, **{name: value})))
    assert ContactSubmission.objects.count() == 0
    assert message in error_summary_links(soup)[f"#id_{name}"]


def test_what_a_person_typed_is_shown_back_as_text(client, contact_page):
    script = "<script>alert('x')</script>"
    soup = soup_of(client.post(URL, form_data(client, name=script, email=None)))
    assert kept_value(soup, "name") == script
    assert not any("alert('x')" in tag.get_text() for tag in soup.find_all("script"))


def test_getting_a_new_picture_without_javascript_keeps_everything(client, contact_page):
    data = form_data(client, refresh_captcha="1")
    soup = soup_of(client.post(URL, data))

    assert ContactSubmission.objects.count() == 0
    assert soup.select_one(".error-summary") is None
    assert not soup.find_all(attrs={"aria-invalid": "true"})
    assert "Your message has not been sent yet" in soup.find("main").get_text()
    for name in ("name", "email", "phone", "message"):
        assert kept_value(soup, name) == data[name]
    assert kept_value(soup, "captcha_0") != data["captcha_0"]
    # It does not count against the rate limit.
    assert RateLimit(RateLimit.key_for("127.0.0.1"), 1, 60).count() == 0


def test_the_new_picture_the_form_fetches_is_one_the_form_accepts(client, contact_page):
    """What captcha.js does: ask the address on the form's button for a new picture, put its
    key in the form, and send the answer to that picture."""
    form = soup_of(client.get(URL)).find("form", class_="contact-form")
    refresh_url = form.find("button", attrs={"name": "refresh_captcha"})["data-captcha-refresh"]
    fresh = client.get(refresh_url, headers={"x-requested-with": "XMLHttpRequest"}).json()
    assert form.select_one(".field--captcha img")["src"] != fresh["image_url"]

    answer = CaptchaStore.objects.get(hashkey=fresh["key"]).response
    response = client.post(URL, form_data(client, captcha_0=fresh["key"], captcha_1=answer))
    assert soup_of(response).find("h1").get_text(strip=True).startswith("Thank you")
    assert ContactSubmission.objects.count() == 1


# Every type of field the form builder offers but "hidden", which a person never fills in.
EVERY_FIELD_TYPE = [
    field_type for field_type, _label in FORM_FIELD_CHOICES if field_type != "hidden"
]
CHOICE_TYPES = ("checkboxes", "dropdown", "multiselect", "radio")


def test_the_error_summary_links_to_the_first_input_of_every_kind_of_field(client, contact_page):
    """A required field of each type the form builder offers, left empty: each error in the
    summary links to an input of that field that a person can reach."""
    FormField.objects.filter(page=contact_page).delete()
    for order, field_type in enumerate(EVERY_FIELD_TYPE):
        FormField.objects.create(
            page=contact_page,
            sort_order=order,
            label=f"Field {field_type}",
            field_type=field_type,
            required=True,
            choices="One\nTwo" if field_type in CHOICE_TYPES else "",
        )
    key, answer = captcha_from(soup_of(client.get(URL)))
    soup = soup_of(client.post(URL, {"captcha_0": key, "captcha_1": answer, "website": ""}))

    links = [a["href"] for a in soup.select(".error-summary a")]
    for href, field_type in zip(links, EVERY_FIELD_TYPE, strict=True):
        target = soup.find(id=href.removeprefix("#"))
        assert target is not None, f"{field_type}: {href} names no element"
        assert target.name in ("input", "select", "textarea"), field_type
        assert target["name"] == f"field_{field_type}", field_type
        assert target["aria-invalid"] == "true", field_type


def test_an_error_quoting_what_was_typed_shows_it_as_text(client, contact_page):
    FormField.objects.create(
        page=contact_page,
        sort_order=10,
        label="Preferred clinic",
        field_type="dropdown",
        choices="North\nSouth",
    )
    script = "<script>alert('x')</script>"
    soup = soup_of(client.post(URL, form_data(client, preferred_clinic=script)))
    [message] = error_summary_links(soup).values()
    assert script in message
    assert not any("alert('x')" in tag.get_text() for tag in soup.find_all("script"))


# Rate limit


def test_rate_limit_answers_429_past_the_limit_and_keeps_what_was_typed(
    client, contact_page, settings
):
    settings.CONTACT_RATE_LIMIT = 2
    settings.CONTACT_RATE_WINDOW = 600
    for _ in range(2):
        client.post(URL, form_data(client))
    assert ContactSubmission.objects.count() == 2

    data = form_data(client, message="A third message")
    response = client.post(URL, data)

    assert response.status_code == 429
    assert ContactSubmission.objects.count() == 2
    soup = soup_of(response)
    summary = soup.select_one(".error-summary")
    assert "sent several messages in a short time" in summary.get_text()
    assert not soup.find_all(attrs={"aria-invalid": "true"})
    for name in ("name", "email", "phone", "message"):
        assert kept_value(soup, name) == data[name]

    # Another client address is not limited.
    other = client.post(URL, form_data(client), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200
    assert ContactSubmission.objects.count() == 3


def test_rate_limit_counter_is_shared_through_redis(client, contact_page, settings):
    need_redis()
    import redis
    from django.core.cache import caches

    settings.CONTACT_RATE_LIMIT = 2
    client.post(URL, form_data(client))

    key = RateLimit.key_for("127.0.0.1")
    # Another app process: its own cache connection sees the same count...
    other_process_cache = caches.create_connection("default")
    assert other_process_cache.get(key) == 1
    # ... and so does a plain Redis client, with Django's key prefix and version.
    raw = redis.Redis.from_url(settings.REDIS_URL)
    assert int(raw.get(other_process_cache.make_key(key))) == 1
    assert 0 < raw.ttl(other_process_cache.make_key(key)) <= settings.CONTACT_RATE_WINDOW

    # A submission counted by the other process counts here too.
    other_process_cache.incr(key)
    assert client.post(URL, form_data(client)).status_code == 429
    assert ContactSubmission.objects.count() == 1


# Mail failures


def test_with_the_mail_server_down_the_message_is_kept_and_sent_later(
    client, contact_page, smtp_server, settings
):
    with refused_port() as down:
        settings.EMAIL_PORT = down
        response = client.post(URL, form_data(client))

        assert soup_of(response).find("h1").get_text(strip=True).startswith("Thank you")
        submission = ContactSubmission.objects.get()
        assert submission.pending
        assert submission.notification_sent_at is None
        assert submission.notification_attempts == 1
        assert "Connection" in submission.notification_error
        assert list(ContactSubmission.objects.pending()) == [submission]

        # Still down: the command says so and the message stays pending.
        with pytest.raises(CommandError):
            call_command("send_pending_notifications", stdout=io.StringIO(), stderr=io.StringIO())
        submission.refresh_from_db()
        assert submission.pending and submission.notification_attempts == 2

    # The mail server is back.
    settings.EMAIL_PORT = smtp_server.port
    out = io.StringIO()
    call_command("send_pending_notifications", stdout=out)
    assert "Sent 1 pending notification" in out.getvalue()
    [message] = smtp_server.messages
    assert message["Reply-To"] == "ana@example.org"
    submission.refresh_from_db()
    assert submission.notification_sent_at is not None
    assert submission.notification_error == ""

    # Run again: nothing is sent twice.
    out = io.StringIO()
    call_command("send_pending_notifications", stdout=out)
    assert "Sent 0 pending notification" in out.getvalue()
    assert len(smtp_server.envelopes) == 1


def test_a_refused_message_is_kept_pending_with_the_reason(client, contact_page, smtp_server):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 No such mailbox"

    smtp_server.handler.handle_RCPT = refuse
    client.post(URL, form_data(client))

    submission = ContactSubmission.objects.get()
    assert submission.pending
    assert "SMTPRecipientsRefused" in submission.notification_error
    assert smtp_server.envelopes == []


def test_a_notification_being_sent_by_another_process_is_not_sent_again(contact_page, smtp_server):
    submission = ContactSubmission.objects.create(
        page=contact_page,
        form_data={"name": "B", "email": "b@example.org", "message": "Hi"},
        notification_claimed_at=timezone.now(),
    )
    call_command("send_pending_notifications", stdout=io.StringIO())
    assert smtp_server.envelopes == []

    # A claim left by a process that died long ago is taken over.
    ContactSubmission.objects.filter(pk=submission.pk).update(
        notification_claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    call_command("send_pending_notifications", stdout=io.StringIO())
    assert len(smtp_server.envelopes) == 1
    assert smtp_server.messages[0]["Reply-To"] == "b@example.org"


# Retention


def test_purge_deletes_only_submissions_older_than_the_retention_period(contact_page, settings):
    settings.FORM_SUBMISSION_RETENTION_DAYS = 30
    now = timezone.now()
    ages = {"old": 31, "older": 400, "recent": 29, "today": 0}
    for label, days in ages.items():
        submission = ContactSubmission.objects.create(
            page=contact_page, form_data={"name": label}, notification_sent_at=now
        )
        ContactSubmission.objects.filter(pk=submission.pk).update(
            submit_time=now - datetime.timedelta(days=days)
        )
    plain = FormSubmission.objects.create(page=contact_page, form_data={"name": "plain"})
    FormSubmission.objects.filter(pk=plain.pk).update(
        submit_time=now - datetime.timedelta(days=100)
    )

    out = io.StringIO()
    call_command("purge_form_submissions", "--dry-run", stdout=out)
    assert "Would delete 3 submission(s)" in out.getvalue()
    assert ContactSubmission.objects.count() == 4

    out = io.StringIO()
    call_command("purge_form_submissions", stdout=out)
    assert "Deleted 3 submission(s)" in out.getvalue()
    remaining = sorted(s.form_data["name"] for s in ContactSubmission.objects.all())
    assert remaining == ["recent", "today"]
    assert not FormSubmission.objects.exists()

    call_command("purge_form_submissions", "--days", "7", stdout=io.StringIO())
    assert [s.form_data["name"] for s in ContactSubmission.objects.all()] == ["today"]


def test_purge_uses_365_days_unless_set(contact_page, settings):
    del settings.FORM_SUBMISSION_RETENTION_DAYS
    submission = ContactSubmission.objects.create(page=contact_page, form_data={})
    ContactSubmission.objects.filter(pk=submission.pk).update(
        submit_time=timezone.now() - datetime.timedelta(days=300)
    )
    call_command("purge_form_submissions", stdout=io.StringIO())
    assert ContactSubmission.objects.count() == 1


# Admin


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("admin", "admin@clinic.example", "pw")


def test_submissions_are_listed_and_exported_with_the_notification_state(
    client, contact_page, superuser
):
    submission = ContactSubmission.objects.create(
        page=contact_page,
        form_data={"name": "Ana", "email": "ana@example.org", "message": "Hi"},
        notification_error="ConnectionRefusedError: refused",
        notification_attempts=1,
    )
    # Whole seconds, as a spreadsheet keeps them.
    submission.submit_time = submission.submit_time.replace(microsecond=0)
    submission.save(update_fields=["submit_time"])
    client.force_login(superuser)

    listing = client.get(f"/admin/forms/submissions/{contact_page.pk}/")
    assert listing.status_code == 200
    table = soup_of(listing).find_all("table")[-1].get_text(" ", strip=True)
    assert "Ana" in table and "Notification" in table and "Not sent yet" in table

    csv = client.get(f"/admin/forms/submissions/{contact_page.pk}/?export=csv")
    text = b"".join(csv.streaming_content).decode()
    assert "Notification" in text.splitlines()[0]
    assert "ana@example.org" in text and "Not sent yet" in text

    xlsx = client.get(f"/admin/forms/submissions/{contact_page.pk}/?export=xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert [[cell.value for cell in row] for row in workbook.active.iter_rows()] == [
        [
            "Submission date",
            "Name",
            "E-mail address",
            "Phone number",
            "Message",
            "My message contains no medical details",
            "Notification",
        ],
        [
            timezone.localtime(submission.submit_time).replace(tzinfo=None),
            "Ana",
            "ana@example.org",
            None,
            "Hi",
            None,
            "Not sent yet (1 tries): ConnectionRefusedError: refused",
        ],
    ]


def test_only_superusers_can_change_where_messages_are_mailed(client, contact_page, superuser):
    edit_url = f"/admin/pages/{contact_page.pk}/edit/"
    client.force_login(superuser)
    form = soup_of(client.get(edit_url))
    assert form.find(attrs={"name": "to_address"}) is not None

    editor = User.objects.create_user("editor", "editor@clinic.example", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    response = client.get(edit_url)
    assert response.status_code == 200
    form = soup_of(response)
    assert form.find(attrs={"name": "to_address"}) is None
    assert form.find(attrs={"name": "from_address"}) is None
    # Editors still manage the fields.
    assert form.find(attrs={"name": "form_fields-TOTAL_FORMS"}) is not None


def test_an_editor_posting_where_messages_are_mailed_changes_nothing(client, contact_page):
    editor = User.objects.create_user("editor", "editor@clinic.example", "pw")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    fields = [
        {"id": field.pk, "label": field.label, "field_type": field.field_type}
        | {"required": "on" if field.required else "", "choices": "", "default_value": ""}
        | {"help_text": field.help_text}
        for field in contact_page.form_fields.all()
    ]
    data = nested_form_data(
        {
            "title": contact_page.title,
            "slug": contact_page.slug,
            "introduction": "Questions about parking and opening hours.",
            "form_fields": inline_formset(fields, initial=len(fields)),
            "thank_you_text": rich_text("<p>Thank you.</p>"),
            "to_address": "attacker@example.org",
            "from_address": "attacker@example.org",
            "subject": "Forwarded",
            "action-publish": "action-publish",
        }
    )
    response = client.post(f"/admin/pages/{contact_page.pk}/edit/", data)
    assert response.status_code == 302, soup_of(response).select(".error-message")

    page = ContactFormPage.objects.get(pk=contact_page.pk)
    assert page.introduction == "Questions about parking and opening hours."  # it was saved
    assert page.to_address == "hello@clinic.example"
    assert page.from_address == contact_page.from_address
    assert page.subject == contact_page.subject


def test_create_local_admin_makes_one_admin_and_says_how_to_log_in(db, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("create_local_admin", stdout=out)
    admin = User.objects.get(is_superuser=True)
    assert admin.username == "admin" and admin.check_password("clinic-admin-local")
    assert "Created the local admin account 'admin'." in out.getvalue()
    assert "username 'admin', password 'clinic-admin-local'" in out.getvalue()

    # Again: nothing new; and a superuser with another password is named, not given one.
    admin.set_password("changed")
    admin.save()
    out = io.StringIO()
    call_command("create_local_admin", stdout=out)
    assert User.objects.filter(is_superuser=True).count() == 1
    assert "Created" not in out.getvalue()
    assert "username 'admin' (with the password you set)" in out.getvalue()
    assert "clinic-admin-local" not in out.getvalue()


def test_create_local_admin_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="local development only"):
        call_command("create_local_admin", stdout=io.StringIO())
    assert not User.objects.exists()


# The mail is the worker's (the contact page's query budgets: tests/test_query_budgets.py)


def test_a_message_queues_its_mail_for_the_worker(client, contact_page, smtp_server, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.post(URL, form_data(client))
    submission = ContactSubmission.objects.get()
    assert smtp_server.envelopes == []

    # Queued for the worker (tests/test_mail_worker.py runs the real one); run it here.
    queued = DBTaskResult.objects.get(task_path="forms.tasks.notify_clinic")
    assert queued.args_kwargs == {"args": [submission.pk], "kwargs": {}}
    queued.task.call(*queued.task_result.args)
    assert len(smtp_server.envelopes) == 1


class ContactPageAdminTests(WagtailPageTestCase):
    def setUp(self):
        home, _site = load_home()
        self.page = load_contact_page(home)

    def test_contact_page_lives_under_the_home_page_only_once(self):
        self.assertAllowedParentPageTypes(ContactFormPage, {HomePage})
        self.assertAllowedSubpageTypes(ContactFormPage, {})
        self.assertFalse(ContactFormPage.can_create_at(HomePage.objects.get()))

    def test_form_and_thank_you_page_preview_in_the_admin(self):
        self.assertPageIsPreviewable(self.page, mode="form")
        self.assertPageIsPreviewable(self.page, mode="landing")
