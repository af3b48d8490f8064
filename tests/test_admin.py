"""The admin as staff see it."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from home.demo import staff_password
from procedures.models import ProcedureIndexPage, ProcedurePage


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("chief", "chief@clinic.example", "pw")


def admin_pages(index, page):
    return [
        "/admin/",
        f"/admin/pages/{index.pk}/",
        f"/admin/pages/add/procedures/procedurepage/{index.pk}/",
        f"/admin/pages/{page.pk}/edit/",
    ]


@pytest.mark.parametrize("username", ["editor", "chief"])
def test_the_admin_asks_no_third_party_for_anything(demo_content, superuser, client, username):
    if username == "chief":
        client.force_login(superuser)  # a superuser also sees the upgrade notice
    else:
        assert client.login(username=username, password=staff_password(username))
    index = ProcedureIndexPage.objects.get()
    for url in admin_pages(index, ProcedurePage.objects.get()):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        # Avatars are the admin's own picture, not a gravatar.com one.
        assert "gravatar" not in html, url
        assert 'data-controller="w-upgrade' not in html, url


def test_staff_call_them_treatments_everywhere(demo_content, client):
    assert client.login(username="marketing", password=staff_password("marketing"))
    index = ProcedureIndexPage.objects.get()
    page = ProcedurePage.objects.get()
    listing = BeautifulSoup(client.get("/admin/procedures/procedurepage/").content, "html.parser")
    assert listing.find("h1").get_text(strip=True) == "Treatments"
    add = listing.find("a", href="/admin/procedures/procedurepage/create/")
    assert add.get_text(strip=True) == "Add treatment"

    # "Add child page" under the treatments index goes straight to the only type it allows.
    response = client.get(f"/admin/pages/{index.pk}/add_subpage/", follow=True)
    assert response.redirect_chain[-1][0] == (
        f"/admin/pages/add/procedures/procedurepage/{index.pk}/"
    )
    editor = BeautifulSoup(response.content, "html.parser")
    assert "New: Treatment" in " ".join(editor.find("header").get_text(" ").split())

    for url in ["/admin/procedures/procedurepage/", *admin_pages(index, page)]:
        text = BeautifulSoup(client.get(url).content, "html.parser").get_text(" ")
        assert "procedure page" not in " ".join(text.split()).lower(), url


def test_when_autosave_creates_a_page_a_failed_create_message_is_cleared(demo_content, client):
    """Wagtail turns the create form into the edit form with these parts once autosave has
    created the page; a "could not be created" message shown before must not stay."""
    assert client.login(username="marketing", password=staff_password("marketing"))
    page = ProcedurePage.objects.get()
    clear = '[data-controller="w-init"][data-w-init-event-value="w-messages:clear"]'
    parts = client.get(f"/admin/pages/{page.pk}/edit/?_w_hydrate_create_view=1")
    assert len(BeautifulSoup(parts.content, "html.parser").select(clear)) == 1
    # The edit form itself keeps its messages.
    edit = client.get(f"/admin/pages/{page.pk}/edit/")
    assert BeautifulSoup(edit.content, "html.parser").select(clear) == []
