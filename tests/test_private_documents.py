"""Documents are sent by the site (/documents/<id>/<name>), which checks who may read them: a
document used only on pages with a view restriction (a login, a password, staff groups) is as
private as those pages; one that a public page uses, or no page, is sent to anyone; and
Wagtail's own privacy of a collection still applies. (On one host, the proxy never serves
MEDIA_ROOT/documents/ itself: tests/test_nginx.py; in a bucket, documents are not readable at
their address there: tests/test_media_storage.py.)"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction
from wagtail.rich_text import RichText

from tests.conftest import add_procedures

CONTENT = b"Results of the 2026 audit of knee injections.\n"
PASSWORD = "sample-password"


def document(title="Audit results"):
    return get_document_model().objects.create(
        title=title, file=ContentFile(CONTENT, name="audit-results.txt")
    )


def linking_page(doc, title):
    """A live treatment page whose first section links to `doc`, as a rich-text link does."""
    (page,) = add_procedures(1, title=title)
    body = f'<p>Read <a linktype="document" id="{doc.pk}">the audit</a>.</p>'
    page.body = [("description", {"section": "what", "custom_heading": "", "body": RichText(body)})]
    page.save_revision().publish()
    return page


def restrict(page, restriction_type):
    restriction = PageViewRestriction.objects.create(
        page=page,
        restriction_type=restriction_type,
        password=PASSWORD if restriction_type == PageViewRestriction.PASSWORD else "",
    )
    if restriction_type == PageViewRestriction.GROUPS:
        restriction.groups.set([Group.objects.get(name="Editors")])
    return restriction


def download(client, doc):
    return client.get(doc.url)


def served(response):
    return response.status_code == 200 and b"".join(response.streaming_content) == CONTENT


@pytest.fixture
def doc(demo_content, settings, tmp_path):
    """A document on disk, as on one host (the tests' in-memory storage has no files to send)."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return document()


def test_documents_are_sent_by_the_site(doc, settings):
    assert settings.WAGTAILDOCS_SERVE_METHOD == "serve_view"
    assert doc.url == f"/documents/{doc.pk}/audit-results.txt"


def test_a_document_no_page_uses_is_sent_to_anyone(client, doc):
    assert served(download(client, doc))


def test_a_document_a_public_page_uses_is_sent_to_anyone(client, doc):
    linking_page(doc, "Public treatment")
    assert served(download(client, doc))


@pytest.mark.parametrize(
    "restriction_type", [PageViewRestriction.LOGIN, PageViewRestriction.GROUPS]
)
def test_a_document_of_a_page_for_staff_asks_a_visitor_to_log_in(client, doc, restriction_type):
    restrict(linking_page(doc, "Private treatment"), restriction_type)
    response = download(client, doc)
    assert response.status_code == 302
    assert response["Location"] == f"/_util/login/?next=/documents/{doc.pk}/audit-results.txt"
    assert "no-store" in response["Cache-Control"]

    client.login(username="editor", password="editor-local-only")  # in the Editors group
    assert served(download(client, doc))


def test_a_document_of_a_page_with_a_password_needs_that_password(client, doc):
    page = linking_page(doc, "Private treatment")
    restriction = restrict(page, PageViewRestriction.PASSWORD)
    response = download(client, doc)
    assert response.status_code == 200
    assert CONTENT not in response.content
    action = f"/_util/authenticate_with_password/{restriction.pk}/{page.pk}/"
    assert f'action="{action}"'.encode() in response.content
    assert "no-store" in response["Cache-Control"]

    client.post(action, {"password": PASSWORD, "return_url": doc.url})
    assert served(download(client, doc))


def test_a_document_of_a_page_under_a_private_section_is_private(client, doc):
    page = linking_page(doc, "Private treatment")
    restrict(page.get_parent(), PageViewRestriction.LOGIN)
    assert download(client, doc).status_code == 302


def test_a_document_that_a_public_page_uses_too_is_sent_to_anyone(client, doc):
    restrict(linking_page(doc, "Private treatment"), PageViewRestriction.LOGIN)
    linking_page(doc, "Public treatment")
    assert served(download(client, doc))


def test_a_document_in_a_private_collection_is_private(client, doc):
    private = Collection.get_first_root_node().add_child(name="Staff only")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    doc.collection = private
    doc.save()
    assert download(client, doc).status_code == 302
