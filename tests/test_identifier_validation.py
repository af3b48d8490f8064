"""Every identifier the site checks against a pattern, with a valid value and with the same
value followed by extra text ("… extra", "…abc", "…\\n<script>"): the valid value is saved,
the longer one is refused with the error on its own field and nothing is saved.

DOI and PMID (references), a body area's slug and a page's slug, a GMC number (practitioner
profiles), the contact form's phone and e-mail, the treatments list's `?area=` and
`?page=`, the ADMIN_PATH setting and `setup_site`'s port and e-mail."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import Site

from base.models import ClinicSettings
from forms.demo import load_contact_page
from forms.models import ContactSubmission
from home.demo import load_home
from home.models import HomePage
from practitioners.models import PractitionerIndexPage, PractitionerPage
from procedures.models import BodyArea, Reference
from tests.conftest import add_procedures
from tests.test_contact_form import error_summary_links, form_data, kept_value
from tests.test_opening_hours import field_error
from tests.test_practitioners import add_url, profile_form_data
from tests.test_staff_roles import log_in

SCRIPT = "\n<script>"


# References: DOI and PMID, in the snippet editor.


def add_reference_url():
    return reverse(Reference.snippet_viewset.get_url_name("add"))


def reference_data(**fields):
    return {
        "authors": "Wee TC, et al.",
        "title": "A sample study of identifiers",
        "journal": "J Clin Orthop Trauma",
        "year": "2021",
        "date_detail": "",
        "volume": "",
        "issue": "",
        "pages": "",
        "doi": "",
        "pmid": "",
        "url": "",
        **fields,
    }


def sample_references():
    return Reference.objects.filter(title="A sample study of identifiers")


@pytest.mark.parametrize(
    ("field", "typed", "stored"),
    [
        ("doi", "10.1016/j.jcot.2021.05.015", "10.1016/j.jcot.2021.05.015"),
        ("doi", "https://doi.org/10.1016/j.jcot.2021.05.015", "10.1016/j.jcot.2021.05.015"),
        ("pmid", "34046305", "34046305"),
        ("pmid", "1", "1"),
        # Space around a value is not part of it.
        ("pmid", " 34046305\n", "34046305"),
    ],
)
def test_a_valid_doi_or_pmid_is_saved(admin_client, db, field, typed, stored):
    response = admin_client.post(add_reference_url(), reference_data(**{field: typed}))
    assert response.status_code == 302
    assert getattr(sample_references().get(), field) == stored


DOI_ERROR = 'A DOI starts with "10.", then a registrant code, "/" and a suffix.'
PMID_ERROR = "A PMID is a number of up to 8 digits."


@pytest.mark.parametrize(
    ("field", "typed", "error"),
    [
        ("doi", "10.1016/j.jcot.2021.05.015 extra", DOI_ERROR),
        ("doi", "10.1016/j.jcot.2021.05.015" + SCRIPT, DOI_ERROR),
        ("doi", "https://doi.org/10.1016/j.jcot.2021.05.015 extra", DOI_ERROR),
        ("pmid", "3404630x", PMID_ERROR),  # 8 characters: only the pattern refuses it
        ("pmid", "1234\n<b>", PMID_ERROR),
        ("pmid", "1234 extra", "Ensure this value has at most 8 characters (it has 10)."),
        ("pmid", "34046305abc", "Ensure this value has at most 8 characters (it has 11)."),
    ],
)
def test_a_doi_or_pmid_followed_by_extra_text_is_refused_on_its_field(
    admin_client, db, field, typed, error
):
    response = admin_client.post(add_reference_url(), reference_data(**{field: typed}))
    assert response.status_code == 200
    assert field_error(response, field) == error
    assert response.context["form"][field].value() == typed  # shown again as typed
    assert not sample_references().exists()


# A body area's slug, in the snippet editor.


def add_body_area(admin_client, slug):
    return admin_client.post(
        reverse(BodyArea.snippet_viewset.get_url_name("add")),
        {"name": "Tennis elbow", "slug": slug},
    )


def test_a_valid_body_area_slug_is_saved(admin_client, db):
    assert add_body_area(admin_client, "tennis-elbow").status_code == 302
    assert BodyArea.objects.get(name="Tennis elbow").slug == "tennis-elbow"


@pytest.mark.parametrize(
    "typed", ["tennis-elbow extra", "tennis-elbow/abc", "tennis-elbow" + SCRIPT]
)
def test_a_body_area_slug_followed_by_extra_text_is_refused_on_its_field(admin_client, db, typed):
    response = add_body_area(admin_client, typed)
    assert response.status_code == 200
    assert field_error(response, "slug").startswith("Enter a valid “slug”")
    assert not BodyArea.objects.filter(name="Tennis elbow").exists()


# A practitioner profile: the GMC number and the page's slug.


@pytest.fixture
def clinicians(demo_content):
    return PractitionerIndexPage.objects.get()


def add_profile(client, clinicians, **fields):
    log_in(client, "editor")
    data = profile_form_data("Dr Sample Example", registration_body="GMC")
    data.update(fields)
    return client.post(add_url(clinicians), data)


@pytest.mark.parametrize("typed", ["1234567", " 1234567\n"])
def test_a_valid_gmc_number_is_saved(client, clinicians, typed):
    response = add_profile(client, clinicians, registration_number=typed)
    assert response.status_code == 302
    profile = PractitionerPage.objects.get(slug="sample-clinician")
    assert (profile.registration_body, profile.registration_number) == ("GMC", "1234567")


@pytest.mark.parametrize(
    "typed", ["1234567 extra", "1234567abc", "12345678", "1234567" + SCRIPT, "GMC 1234567"]
)
def test_a_gmc_number_followed_by_extra_text_is_refused_on_its_field(client, clinicians, typed):
    response = add_profile(client, clinicians, registration_number=typed)
    assert response.status_code == 200
    assert field_error(response, "registration_number") == "A GMC number has 7 digits."
    assert response.context["form"]["registration_number"].value() == typed
    assert not PractitionerPage.objects.filter(title="Dr Sample Example").exists()


@pytest.mark.parametrize("typed", ["sample-clinician extra", "sample-clinician" + SCRIPT])
def test_a_page_slug_followed_by_extra_text_is_refused_on_its_field(client, clinicians, typed):
    response = add_profile(client, clinicians, registration_number="1234567", slug=typed)
    assert response.status_code == 200
    assert field_error(response, "slug").startswith("Enter a valid “slug”")
    assert not PractitionerPage.objects.filter(title="Dr Sample Example").exists()


# The contact form: phone and e-mail.


@pytest.fixture
def contact_page(db):
    home, _site = load_home()
    return load_contact_page(home)


@pytest.mark.parametrize(
    ("name", "typed"),
    [("phone", "+44 20 7946 0999"), ("phone", "01632 960 001"), ("email", "ana@example.org")],
)
def test_a_valid_phone_or_email_is_stored(client, contact_page, name, typed):
    response = client.post(contact_page.url, form_data(client, **{name: typed}))
    assert response.status_code == 200
    assert ContactSubmission.objects.get().form_data[name] == typed


@pytest.mark.parametrize(
    ("name", "typed", "error"),
    [
        ("phone", "+44 20 7946 0999 extra", "Enter a phone number"),
        ("phone", "+44 20 7946 0999abc", "Enter a phone number"),
        ("phone", "+44 20 7946 0999" + SCRIPT, "Enter a phone number"),
        ("email", "ana@example.org extra", "correct format"),
        ("email", "ana@example.org" + SCRIPT, "correct format"),
    ],
)
def test_a_phone_or_email_followed_by_extra_text_is_refused_on_its_field(
    client, contact_page, name, typed, error
):
    response = client.post(contact_page.url, form_data(client, **{name: typed}))
    soup = BeautifulSoup(response.content, "html.parser")
    assert list(error_summary_links(soup)) == [f"#id_{name}"]
    assert error in error_summary_links(soup)[f"#id_{name}"]
    assert soup.find(id=f"id_{name}")["aria-invalid"] == "true"
    assert kept_value(soup, name) == typed  # shown again as typed, as text
    assert not ContactSubmission.objects.exists()


# The treatments list's address: ?area= and ?page=.

INDEX = "/procedures/"


def list_soup(client, **query):
    response = client.get(INDEX, query)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def listed(soup):
    return [a.get_text(strip=True) for a in soup.select(".procedure-list h2 a")]


def test_a_valid_area_narrows_the_list(client, demo_content):
    add_procedures(1, title="Other treatment")
    soup = list_soup(client, area="knee")
    assert soup.h1.get_text() == "Treatments for knee"
    assert listed(soup) == ["Prolotherapy"]
    assert soup.select_one("select[name=area]").get("aria-invalid") is None


@pytest.mark.parametrize("typed", ["knee extra", "kneeabc", "knee" + SCRIPT])
def test_an_area_followed_by_extra_text_is_an_error_next_to_the_filter(client, demo_content, typed):
    add_procedures(1, title="Other treatment")
    response = client.get(INDEX, {"area": typed})
    assert typed.encode() not in response.content
    soup = BeautifulSoup(response.content, "html.parser")
    select = soup.select_one("select[name=area]")
    assert select["aria-invalid"] == "true"
    error = soup.find(id=select["aria-describedby"])
    assert "Choose a body area from the list." in error.get_text()
    assert soup.h1.get_text() == "Treatments"
    assert listed(soup) == ["Other treatment 001", "Prolotherapy"]  # not narrowed


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("2", 2), ("2abc", 1), ("2 extra", 1), ("2" + SCRIPT, 1), ("1", 1)],
)
def test_a_page_number_followed_by_extra_text_shows_the_first_page(
    client, demo_content, typed, shown
):
    add_procedures(24)  # and the prolotherapy page: 25, two pages
    soup = list_soup(client, page=typed)
    assert soup.select_one(".list-count").get_text() == f"25 treatments, page {shown} of 2."
    assert len(listed(soup)) == (20 if shown == 1 else 5)


# Settings and set-up commands.


def admin_path_errors():
    return [error.msg for error in run_checks() if error.id == "home.E001"]


def test_a_valid_admin_path_passes_the_start_up_check(settings):
    settings.ADMIN_PATH = "staff-7f3a/"
    assert admin_path_errors() == []


@pytest.mark.parametrize("typed", ["staff-7f3a/ extra", "staff-7f3a/abc", "staff-7f3a/" + SCRIPT])
def test_an_admin_path_followed_by_extra_text_fails_the_start_up_check(settings, typed):
    settings.ADMIN_PATH = typed
    assert admin_path_errors() == [f"ADMIN_PATH must be a path such as 'staff/' (it is {typed!r})."]


def setup_site(monkeypatch, **env):
    values = {
        "SITE_HOSTNAME": "clinic.example",
        "SITE_PORT": "443",
        "CLINIC_NAME": "Riverside Clinic",
        "CLINIC_EMAIL": "reception@clinic.example",
        **env,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    call_command("setup_site", stdout=io.StringIO())


def test_setup_site_takes_a_valid_port_and_email(db, monkeypatch):
    setup_site(monkeypatch, SITE_PORT="8443", CLINIC_EMAIL="desk@clinic.example")
    site = Site.objects.get()
    assert (site.hostname, site.port) == ("clinic.example", 8443)
    assert ClinicSettings.objects.get(site=site).email == "desk@clinic.example"


@pytest.mark.parametrize(
    ("name", "typed", "message"),
    [
        ("SITE_PORT", "8443 extra", "SITE_PORT (or --port) must be a port number"),
        ("SITE_PORT", "8443abc", "SITE_PORT (or --port) must be a port number"),
        ("SITE_PORT", "８４４３", "SITE_PORT (or --port) must be a port number"),
        ("SITE_HOSTNAME", "clinic.example extra", "SITE_HOSTNAME=clinic.example"),
        ("SITE_HOSTNAME", "clinic.example" + SCRIPT, "SITE_HOSTNAME=clinic.example"),
        ("SITE_HOSTNAME", "clinic.example:8443", "SITE_HOSTNAME=clinic.example"),
        ("CLINIC_EMAIL", "desk@clinic.example extra", "CLINIC_EMAIL=reception@clinic.example"),
        ("CLINIC_EMAIL", "desk@clinic.example" + SCRIPT, "CLINIC_EMAIL=reception@clinic.example"),
    ],
)
def test_setup_site_refuses_a_host_port_or_email_followed_by_extra_text(
    db, monkeypatch, name, typed, message
):
    with pytest.raises(CommandError) as caught:
        setup_site(monkeypatch, **{name: typed})
    assert message in str(caught.value)
    assert not HomePage.objects.exists()


# Patterns read whole: no text after a valid value, not even a line break, and ASCII digits only.


@pytest.mark.parametrize(
    "typed, valid",
    [("staff/", True), ("staff/\n", False), ("staff/ extra", False), ("staff/x", False)],
)
def test_the_admin_path_check_reads_the_whole_value(settings, typed, valid):
    settings.ADMIN_PATH = typed
    ids = [message.id for message in run_checks()]
    assert ("home.E001" not in ids) is valid


@pytest.mark.parametrize(
    "field, typed, valid",
    [
        ("pmid", "34046305", True),
        ("pmid", "34046305\n", False),
        ("pmid", "３４０４６３０５", False),
        ("pmid", "3404630x", False),
        ("doi", "10.1016/j.jcot.2021.05.015", True),
        ("doi", "10.１０１６/j.jcot", False),
        ("doi", "10.1016/x y", False),
    ],
)
def test_a_pmid_or_doi_has_ascii_digits_and_nothing_after(db, field, typed, valid):
    from django.core.exceptions import ValidationError

    reference = Reference(
        authors="Example A", title="A title", journal="J", year=2021, **{field: typed}
    )
    if valid:
        reference.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            reference.full_clean()
        assert field in refused.value.message_dict
