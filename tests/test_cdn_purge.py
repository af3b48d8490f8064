"""The CDN purge at the size of a clinic group (pagecache/frontend.py, pagecache/tasks.py): a
change purges the addresses that show it, once, and however many treatments there are; the
editor's request only queues one task, which the task worker turns into addresses. A real
caching proxy stand-in (tests/cdn.py) records every PURGE it receives."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult
from wagtail.models import Page, PageViewRestriction

from base.models import ClinicSettings
from forms.models import ContactFormPage
from locations.models import ClinicLocation
from practitioners.models import PractitionerPage
from procedures.models import BodyArea, ProcedurePage, Reference
from tests.conftest import add_procedures, add_procedures_in_bulk
from tests.test_page_cache import PURGE_BACKEND, purging
from tests.test_staff_roles import edit_through_admin

PROLOTHERAPY = "/procedures/prolotherapy/"
INDEX = "/procedures/"
SITEMAP = {"/sitemap.xml", "/sitemap-pages.xml"}
ALWAYS = {"/", "/search/"}  # the home page shows clinic locations and treatments


@pytest.fixture
def cdn():
    from tests.cdn import PurgeRecorder

    with PurgeRecorder() as recorder:
        yield recorder


@pytest.fixture
def prolotherapy(demo_content):
    return ProcedurePage.objects.get(slug="prolotherapy")


def purged(cdn):
    """The paths purged; each address exactly once."""
    paths = [path for _, path in cdn.purged]
    assert len(paths) == len(set(paths)), sorted(paths)
    return set(paths)


def test_an_editors_publish_purges_the_page_its_lists_and_the_sitemap_once(
    admin_client, prolotherapy, cdn, django_capture_on_commit_callbacks
):
    add_procedures_in_bulk(300, title="Other treatment")
    [page] = add_procedures(1, title="Edited treatment")
    contact = ContactFormPage.objects.get()
    with purging(cdn, django_capture_on_commit_callbacks):
        edit_through_admin(admin_client, page, contact, page.title, "action-publish")
    assert purged(cdn) == {"/procedures/edited-treatment-001/", INDEX, *SITEMAP, *ALWAYS}
    assert {host for host, _ in cdn.purged} == {page.get_site().hostname}


def test_the_editors_publish_request_only_queues_one_task_whatever_the_number_of_pages(
    admin_client, prolotherapy, settings, django_capture_on_commit_callbacks
):
    """No address is worked out in the request: as many queries with 300 treatments more,
    one task queued for the worker, naming the page."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    [page] = add_procedures(1, title="Edited treatment")
    contact = ContactFormPage.objects.get()
    proxy = {"BACKEND": PURGE_BACKEND, "LOCATION": "http://127.0.0.1:9"}  # never reached

    def publish():
        with CaptureQueriesContext(connection) as captured:
            with django_capture_on_commit_callbacks(execute=True):
                edit_through_admin(admin_client, page, contact, page.title, "action-publish")
        return len(captured)

    with override_settings(WAGTAILFRONTENDCACHE={"proxy": proxy}):
        publish()  # the first publish of the page records a few things once
        queries = [publish()]
        add_procedures_in_bulk(300, title="Other treatment")
        queries.append(publish())
    assert queries[0] == queries[1]
    tasks = DBTaskResult.objects.filter(task_path__contains="purge")
    assert [task.task_path for task in tasks] == ["pagecache.tasks.purge_changes"] * 3
    assert {tuple(task.args_kwargs["kwargs"]["pages"]) for task in tasks} == {(page.pk,)}


def test_a_new_title_purges_the_pages_that_link_to_the_page(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    clinician = PractitionerPage.objects.get()
    assert prolotherapy in clinician.treatments.all()  # the profile lists it
    with purging(cdn, django_capture_on_commit_callbacks):
        prolotherapy.title = "Prolotherapy injections"
        prolotherapy.save_revision().publish()
    assert purged(cdn) >= {PROLOTHERAPY, INDEX, clinician.url, *SITEMAP, *ALWAYS}


def test_a_reference_purges_only_the_pages_that_cite_it(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    add_procedures_in_bulk(200, title="Other treatment")
    with purging(cdn, django_capture_on_commit_callbacks):
        reference = Reference.objects.get(pmid="34046305")
        reference.title = "A corrected title"
        reference.save()
    assert purged(cdn) == {PROLOTHERAPY, INDEX, *ALWAYS}


def test_a_deleted_reference_purges_the_pages_that_cited_it(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    with purging(cdn, django_capture_on_commit_callbacks):
        Reference.objects.get(pmid="34046305").delete()
    assert purged(cdn) == {PROLOTHERAPY, INDEX, *ALWAYS}


def test_an_opening_time_purges_the_pages_that_show_its_clinic(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    add_procedures_in_bulk(50, title="Other treatment")  # no location on them
    location = ClinicLocation.objects.get()
    with purging(cdn, django_capture_on_commit_callbacks):
        opening = location.opening_times.first()
        opening.closes = opening.closes.replace(minute=45)
        opening.save()
    assert purged(cdn) == {PROLOTHERAPY, INDEX, *ALWAYS}


def test_a_body_area_purges_the_treatments_that_treat_it(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    shoulder = BodyArea.objects.create(name="Shoulder")
    add_procedures(3, title="Shoulder treatment", body_areas=[shoulder])
    add_procedures_in_bulk(100, title="Other treatment")
    with purging(cdn, django_capture_on_commit_callbacks):
        shoulder.name = "Shoulder joint"
        shoulder.save()
    treatments = {f"/procedures/shoulder-treatment-00{n}/" for n in (1, 2, 3)}
    assert purged(cdn) == {*treatments, INDEX, *ALWAYS}


def test_the_clinic_settings_purge_every_live_page(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    """The header and footer of every page show them."""
    add_procedures(2, title="Other treatment")[1].unpublish()
    with purging(cdn, django_capture_on_commit_callbacks):
        clinic = ClinicSettings.objects.get()
        clinic.phone = "+44 20 7946 0999"
        clinic.save()
    live = {page.url for page in Page.objects.live().exclude(depth=1)}
    assert "/procedures/other-treatment-002/" not in live
    assert purged(cdn) == {*live, *SITEMAP, *ALWAYS}


def test_a_page_made_private_is_purged_with_every_page_below_it(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    add_procedures(2, title="Other treatment")
    with purging(cdn, django_capture_on_commit_callbacks):
        PageViewRestriction.objects.create(page=Page.objects.get(url_path__endswith="/procedures/"))
    below = {
        INDEX,
        PROLOTHERAPY,
        "/procedures/other-treatment-001/",
        "/procedures/other-treatment-002/",
    }
    assert purged(cdn) == {*below, *SITEMAP, *ALWAYS}


def test_a_deleted_page_is_purged_with_the_pages_that_linked_to_it(
    prolotherapy, cdn, django_capture_on_commit_callbacks
):
    clinician = PractitionerPage.objects.get()
    with purging(cdn, django_capture_on_commit_callbacks):
        Page.objects.get(pk=prolotherapy.pk).delete()
    assert purged(cdn) >= {PROLOTHERAPY, INDEX, clinician.url, *SITEMAP, *ALWAYS}
