"""Practitioner profiles: their public page and JSON-LD, the "Who does it" section of a
treatment, and the clinical review recorded as the reviewer's profile."""

import datetime
import io
import json

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.models import Image
from wagtail.test.utils.form_data import nested_form_data, rich_text

from home.models import HomePage
from practitioners.blocks import WhoDoesItBlock
from practitioners.models import PractitionerIndexPage, PractitionerPage
from procedures.models import ProcedurePage
from tests.admin_forms import listblock
from tests.test_staff_roles import approve_or_reject, log_in, submitted_for_review

PROFILE = "/clinicians/example-clinician/"
PROLOTHERAPY = "/procedures/prolotherapy/"
EXAMPLE = "Dr Riley Reviewer (example clinician)"


def soup_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def json_ld(soup):
    return json.loads(soup.find("script", type="application/ld+json").string)


def text(element):
    return " ".join(element.get_text().split())


@pytest.fixture
def clinicians(demo_content):
    return PractitionerIndexPage.objects.get()


@pytest.fixture
def clinician(demo_content):
    return PractitionerPage.objects.get(slug="example-clinician")


def a_photo():
    buffer = io.BytesIO()
    PILImage.new("RGB", (600, 600), (200, 220, 240)).save(buffer, "PNG")
    return Image.objects.create(title="Portrait", file=ImageFile(buffer, name="portrait.png"))


def add_practitioner(index, title, **fields):
    page = index.add_child(instance=PractitionerPage(title=title, **fields))
    page.save_revision().publish()
    return page


# The profile page.


def test_tree_rules(db):
    assert PractitionerIndexPage.allowed_parent_page_models() == [HomePage]
    assert PractitionerIndexPage.allowed_subpage_models() == [PractitionerPage]
    assert PractitionerPage.allowed_parent_page_models() == [PractitionerIndexPage]
    assert PractitionerPage.allowed_subpage_models() == []


def test_the_profile_shows_the_practitioner_and_the_live_treatments_they_give(client, clinician):
    draft = (
        ProcedurePage.objects.get(slug="prolotherapy")
        .get_parent()
        .add_child(
            instance=ProcedurePage(title="Sample draft treatment", summary="Not reviewed yet.")
        )
    )
    draft.unpublish()
    clinician.registration_body = "GMC"
    clinician.registration_number = "0000000"
    clinician.photo = a_photo()
    clinician.photo_alt_text = "The example clinician, smiling"
    clinician.treatments.add(draft)
    clinician.save_revision().publish()

    article = soup_of(client, PROFILE).find("article")
    assert article.find("h1").get_text() == EXAMPLE
    assert "Pain consultant" in text(article)
    facts = article.select_one(".practitioner__facts")
    assert {dt.get_text(): text(dd) for dt, dd in zip(facts("dt"), facts("dd"), strict=True)} == {
        "Qualifications": "MBBS, FRCA",
        "Registration": "General Medical Council, number 0000000 (search the register)",
    }
    assert article.find("a", string="search the register")["href"] == "https://www.gmc-uk.org/"
    assert article.find("img")["alt"] == "The example clinician, smiling"
    assert "not a real clinician" in text(article)
    treatments = article.find("section", attrs={"aria-labelledby": "practitioner-treatments"})
    assert text(treatments.find("h2")) == f"Treatments {EXAMPLE} gives"
    assert [(a.get_text(), a["href"]) for a in treatments.find_all("a")] == [
        ("Prolotherapy", PROLOTHERAPY)
    ]


def test_the_index_lists_the_live_profiles(client, clinicians):
    hidden = add_practitioner(clinicians, "Ms Draft Example", role="physiotherapist")
    hidden.unpublish()
    cards = soup_of(client, "/clinicians/").select(".card")
    assert [text(card) for card in cards] == [f"{EXAMPLE} Pain consultant"]
    assert cards[0].find("a")["href"] == PROFILE


def test_the_profile_describes_a_person_with_credentials_in_json_ld(client, clinician):
    clinician.registration_body = "GMC"
    clinician.registration_number = "0000000"
    clinician.photo = a_photo()
    clinician.photo_alt_text = "The example clinician"
    clinician.save_revision().publish()

    data = json_ld(soup_of(client, PROFILE))
    profile_page, person = data["@graph"]
    url = "http://localhost" + PROFILE
    assert profile_page["@type"] == "ProfilePage"
    assert profile_page["mainEntity"] == {"@id": f"{url}#person"}
    # A Person: schema.org's Physician is a MedicalOrganization, which has no jobTitle.
    assert person["@type"] == "Person"
    assert (person["name"], person["jobTitle"], person["url"]) == (EXAMPLE, "pain consultant", url)
    degrees, registration = person["hasCredential"][:2], person["hasCredential"][2]
    assert degrees == [
        {"@type": "EducationalOccupationalCredential", "name": "MBBS"},
        {"@type": "EducationalOccupationalCredential", "name": "FRCA"},
    ]
    assert registration == {
        "@type": "EducationalOccupationalCredential",
        "name": "Registered with the General Medical Council",
        "credentialCategory": "professional registration",
        "identifier": "0000000",
        "recognizedBy": {
            "@type": "Organization",
            "name": "General Medical Council",
            "url": "https://www.gmc-uk.org/",
        },
    }
    rendition = clinician.photo.get_rendition("fill-400x400")
    assert person["image"] == "http://localhost" + rendition.url
    assert person["knowsAbout"] == [
        {
            "@type": "MedicalTherapy",
            "name": "Prolotherapy",
            "url": "http://localhost" + PROLOTHERAPY,
        }
    ]


def test_a_practitioner_without_credentials_is_a_person_with_a_job_title(client, clinicians):
    add_practitioner(clinicians, "Sam Example", slug="sam-example", role="physiotherapist")
    data = json_ld(soup_of(client, "/clinicians/sam-example/"))
    person = data["@graph"][1]
    assert person["@type"] == "Person"
    assert person["jobTitle"] == "physiotherapist"
    assert "hasCredential" not in person
    assert "image" not in person and "knowsAbout" not in person


# The admin: editors write profiles, clinical reviewers publish them.


def profile_form_data(title, **fields):
    return nested_form_data(
        {
            "title": title,
            "slug": "sample-clinician",
            "role": "pain consultant",
            "qualifications": "MBBS",
            "registration_body": "",
            "registration_number": "",
            "photo": "",
            "photo_alt_text": "",
            "biography": rich_text("<p>Sample biography.</p>"),
            **fields,
        }
    )


def add_url(index):
    return f"/admin/pages/add/practitioners/practitionerpage/{index.pk}/"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"photo_alt_text": ""}, "photo_alt_text", "Describe the photo"),
        (
            {"registration_body": "GMC", "registration_number": "12345"},
            "registration_number",
            "A GMC number has 7 digits.",
        ),
        ({"registration_number": "1234567"}, "registration_body", "Choose the register"),
        ({"registration_body": "HCPC"}, "registration_number", "Give the number"),
    ],
    ids=[
        "photo without text alternative",
        "short GMC number",
        "number without register",
        "register without number",
    ],
)
def test_a_profile_with_a_mistake_is_refused_with_the_error_on_its_field(
    client, clinicians, fields, field, message
):
    photo = a_photo()
    log_in(client, "editor")
    data = profile_form_data("Dr Sample Example", photo=photo.pk, photo_alt_text="A portrait")
    data.update(fields)
    response = client.post(add_url(clinicians), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["title"].value() == "Dr Sample Example"  # what was typed stays
    assert not PractitionerPage.objects.filter(slug="sample-clinician").exists()


def test_an_editor_writes_a_profile_that_goes_live_when_a_reviewer_approves_it(client, clinicians):
    log_in(client, "editor")
    form = client.get(add_url(clinicians)).context["form"]
    assert "user" not in form.fields  # only administrators link staff accounts
    data = profile_form_data("Dr Sample Example")
    data["action-publish"] = "action-publish"
    assert client.post(add_url(clinicians), data).status_code == 302
    profile = PractitionerPage.objects.get(slug="sample-clinician")
    assert not profile.live  # an editor cannot publish clinical credentials past the review

    data = profile_form_data("Dr Sample Example")
    data["action-submit"] = "action-submit"
    assert client.post(f"/admin/pages/{profile.pk}/edit/", data).status_code == 302
    profile.refresh_from_db()
    assert profile.get_workflow().name == "Clinical review"

    client.logout()
    log_in(client, "reviewer")
    approve_or_reject(client, profile, "approve")
    profile.refresh_from_db()
    assert profile.live
    assert client.get("/clinicians/sample-clinician/").status_code == 200


def test_an_administrator_links_a_staff_account(client, clinicians):
    admin = get_user_model().objects.create_superuser("root", "root@clinic.example", "pw")
    client.force_login(admin)
    editor = get_user_model().objects.get(username="editor")
    data = profile_form_data("Dr Sample Example", user=editor.pk)
    data["action-publish"] = "action-publish"
    assert client.post(add_url(clinicians), data).status_code == 302
    assert PractitionerPage.objects.get(slug="sample-clinician").user == editor


# The "Who does it" section.


def who_does_it_errors(raw):
    block = WhoDoesItBlock()
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(block.to_python(raw))
    return caught.value.block_errors


def test_who_does_it_needs_a_practitioner(db):
    errors = who_does_it_errors({"practitioners": []})
    assert list(errors) == ["practitioners"]
    assert " ".join(errors["practitioners"].messages) == "Choose at least one practitioner."


def test_publishing_a_treatment_with_no_one_in_who_does_it_is_refused(client, demo_content):
    from procedures.models import ProcedureIndexPage
    from tests.admin_forms import procedure_form_data

    superuser = get_user_model().objects.create_superuser("root", "root@clinic.example", "pw")
    client.force_login(superuser)
    body = [("who_does_it", {"practitioners": listblock([])})]
    data = procedure_form_data("Sample treatment", "sample-treatment", body)
    data["action-publish"] = "action-publish"
    index = ProcedureIndexPage.objects.get()
    response = client.post(f"/admin/pages/add/procedures/procedurepage/{index.pk}/", data)
    assert response.status_code == 200
    error = response.context["form"].errors["body"].as_data()[0]
    assert error.block_errors[0].block_errors["practitioners"].messages == [
        "Choose at least one practitioner."
    ]
    assert not ProcedurePage.objects.filter(slug="sample-treatment").exists()


def who_does_it_section(page):
    html = page.body.render_as_block(context={"page": page})
    return BeautifulSoup(str(html), "html.parser")


@pytest.mark.parametrize(
    "title, heading_name, plural, heading",
    [
        ("Prolotherapy", "", False, "Who gives prolotherapy"),
        ("PRP injections", "", True, "Who gives PRP injections"),
        (
            "Platelet-rich plasma",
            "platelet-rich plasma (PRP) injections",
            True,
            "Who gives platelet-rich plasma (PRP) injections",
        ),
    ],
    ids=["singular", "plural with an acronym", "name typed by the editor"],
)
def test_who_does_it_is_headed_with_the_treatments_name(
    clinician, title, heading_name, plural, heading
):
    page = ProcedurePage(title=title, heading_name=heading_name, name_is_plural=plural)
    page.body = [("who_does_it", {"practitioners": [clinician]})]
    soup = who_does_it_section(page)
    assert [h2.get_text() for h2 in soup.find_all("h2")] == [heading]


def test_who_does_it_links_each_live_practitioner_to_their_profile(clinicians, clinician):
    other = add_practitioner(clinicians, "Sam Example", slug="sam-example", role="physiotherapist")
    hidden = add_practitioner(clinicians, "Ms Draft Example", slug="draft", role="nurse")
    hidden.unpublish()
    page = ProcedurePage(title="Prolotherapy")
    page.body = [("who_does_it", {"practitioners": [clinician, other, hidden]})]
    items = who_does_it_section(page).find_all("li")
    assert [text(item) for item in items] == [
        f"{EXAMPLE}, pain consultant",
        "Sam Example, physiotherapist",
    ]
    assert [item.find("a")["href"] for item in items] == [PROFILE, "/clinicians/sam-example/"]


def test_a_profile_that_goes_live_shows_at_once_on_the_treatment(client, clinicians):
    newcomer = clinicians.add_child(
        instance=PractitionerPage(title="Sam Example", slug="sam-example", role="physiotherapist")
    )
    newcomer.unpublish()
    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    body = prolotherapy.body.raw_data
    for block in body:
        if block["type"] == "who_does_it":
            block["value"]["practitioners"].append(newcomer.pk)
    prolotherapy.body = body
    prolotherapy.save_revision().publish()
    assert "Sam Example" not in text(soup_of(client, PROLOTHERAPY).find("article"))  # cached now

    newcomer.save_revision().publish()
    article = soup_of(client, PROLOTHERAPY).find("article")
    assert "Sam Example, physiotherapist" in text(article)
    mentions = json_ld(soup_of(client, PROLOTHERAPY))["@graph"][0]["mentions"]
    assert {"@type", "@id", "name", "url", "jobTitle"} <= set(mentions[-1])
    assert mentions[-1]["name"] == "Sam Example"


# Reviewed by a real clinician.


def test_approval_records_the_reviewers_profile_and_the_page_links_to_it(
    client, demo_content, settings
):
    settings.TIME_ZONE = "Europe/London"
    page = submitted_for_review(client, *indexes())
    with time_machine.travel(datetime.datetime(2026, 11, 1, 10, tzinfo=datetime.UTC)):
        log_in(client, "reviewer")
        page = approve_or_reject(client, page, "approve", "Checked.")
    clinician = PractitionerPage.objects.get(slug="example-clinician")
    assert page.reviewed_by_practitioner == clinician
    assert page.reviewed_by == f"{EXAMPLE}, pain consultant"
    assert page.live_revision.as_object().reviewed_by_practitioner == clinician

    soup = soup_of(client, page.url)
    line = soup.select_one(".review-info p")
    assert text(line).startswith(
        f"Reviewed by {EXAMPLE}, pain consultant, on 1 November 2026. "
        "Next review due 1 November 2027."
    )
    assert line.find("a")["href"] == PROFILE
    assert line.find("a").get_text() == EXAMPLE

    reviewed_by = json_ld(soup)["@graph"][0]["reviewedBy"]
    assert reviewed_by["@type"] == "Person"
    assert reviewed_by["@id"] == f"http://localhost{PROFILE}#person"
    assert reviewed_by["jobTitle"] == "pain consultant"
    assert [c["name"] for c in reviewed_by["hasCredential"]] == ["MBBS", "FRCA"]


def indexes():
    from forms.models import ContactFormPage
    from procedures.models import ProcedureIndexPage

    return ProcedureIndexPage.objects.get(), ContactFormPage.objects.get()


def test_a_reviewer_without_a_profile_is_recorded_by_name(client, demo_content):
    second = get_user_model().objects.create_user(
        "second", password="second-local-only", first_name="Dr Sam", last_name="Second"
    )
    second.groups.add(Group.objects.get(name="Clinical reviewers"))
    page = submitted_for_review(client, *indexes())
    client.force_login(second)
    page = approve_or_reject(client, page, "approve")
    assert (page.reviewed_by, page.reviewed_by_practitioner) == ("Dr Sam Second", None)
    line = soup_of(client, page.url).select_one(".review-info p")
    assert text(line).startswith("Reviewed by Dr Sam Second on ")
    assert line.find("a") is None


def test_a_reviewer_whose_profile_is_not_live_is_named_without_a_link(client, clinician):
    clinician.unpublish()
    soup = soup_of(client, PROLOTHERAPY)
    line = soup.select_one(".review-info p")
    assert text(line).startswith(f"Reviewed by {EXAMPLE}, pain consultant on 1 November 2026.")
    assert line.find("a") is None
    assert json_ld(soup)["@graph"][0]["reviewedBy"] == {
        "@type": "Person",
        "name": f"{EXAMPLE}, pain consultant",
    }


def test_a_reviewer_the_who_does_it_section_names_is_not_read_again(
    clinicians, clinician, django_assert_num_queries
):
    page = ProcedurePage.objects.get(slug="prolotherapy")
    with django_assert_num_queries(1):  # the practitioners the "Who does it" section names
        named = page.named_practitioners
        profile = page.reviewer_profile
    assert named == [clinician]
    assert profile is named[0]


def test_a_reviewer_the_who_does_it_section_does_not_name_is_linked_too(client, clinicians):
    other = add_practitioner(clinicians, "Sam Example", slug="sam-example", role="physiotherapist")
    page = ProcedurePage.objects.get(slug="prolotherapy")
    page.reviewed_by_practitioner = other
    page.save_revision().publish()
    soup = soup_of(client, PROLOTHERAPY)
    assert soup.select_one(".review-info p a")["href"] == "/clinicians/sam-example/"
    assert json_ld(soup)["@graph"][0]["reviewedBy"]["name"] == "Sam Example"


def test_the_demo_reviewer_account_is_the_example_clinicians(clinician):
    assert clinician.user.username == "reviewer"
    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    assert prolotherapy.reviewed_by_practitioner == clinician
    assert list(clinician.treatments.all()) == [prolotherapy]
