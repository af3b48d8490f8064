"""The admin as staff see it."""

import pytest
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
