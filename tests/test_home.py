import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from base.models import ClinicSettings
from home.models import HomePage
from tests.conftest import load_demo_content

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What the production settings require besides SECRET_KEY (they are never connected to here).
PRODUCTION = {
    "DATABASE_URL": "postgres://clinic@db.example/clinic",
    "EMAIL_HOST": "smtp.clinic.example",
}


def page_tree():
    return [
        (p.depth, p.slug, p.title, p.specific_class.__name__, p.live)
        for p in Page.objects.order_by("path")
    ]


def test_home_page_shows_clinic_details_from_site_settings(client, home_page):
    settings = ClinicSettings.objects.get(site=Site.objects.get(is_default_site=True))
    settings.clinic_name = "Riverside Pain Clinic"
    settings.phone = "+44 20 7946 0123"
    settings.medical_disclaimer = "Talk to your own doctor first."
    settings.save()

    response = client.get("/")

    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1").get_text(strip=True) == "Riverside Pain Clinic"
    assert soup.select_one(".site-header__name").get_text(strip=True) == "Riverside Pain Clinic"
    footer = soup.find("footer")
    assert "+44 20 7946 0123" in footer.get_text()
    assert footer.select_one('a[href="tel:+442079460123"]') is not None
    assert "Talk to your own doctor first." in footer.get_text()
    assert soup.title.get_text().endswith("| Riverside Pain Clinic")


def test_base_template_is_accessible_by_structure(client, home_page):
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    assert soup.html["lang"] == "en-GB"
    skip = soup.find("a", class_="skip-link")
    assert skip["href"] == "#main-content"
    assert soup.find("main")["id"] == "main-content"
    assert soup.find("header") is not None
    assert soup.find("footer") is not None
    assert soup.find("meta", attrs={"name": "viewport"}) is not None
    nav = soup.find("nav", attrs={"aria-label": "Main"})
    assert [a.get_text() for a in nav.find_all("a")] == [
        "Treatments",
        "Our clinicians",
        "Contact us",
    ]


class HomePageTreeTests(WagtailPageTestCase):
    def test_home_page_lives_only_at_the_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})

    def test_only_one_home_page(self):
        load_demo_content()
        root = Page.get_first_root_node()
        self.assertEqual(HomePage.objects.count(), 1)
        self.assertFalse(HomePage.can_create_at(root))

    def test_home_page_renders(self):
        load_demo_content()
        self.assertPageIsRenderable(HomePage.objects.get())


def test_load_demo_content_twice_changes_nothing(db):
    load_demo_content()
    first = page_tree()
    sites = list(Site.objects.values_list("hostname", "root_page_id", "site_name"))
    settings = list(ClinicSettings.objects.values())
    load_demo_content()
    assert page_tree() == first
    assert list(Site.objects.values_list("hostname", "root_page_id", "site_name")) == sites
    assert list(ClinicSettings.objects.values()) == settings
    # The home page replaced Wagtail's placeholder and is what the default site serves.
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage


def _import_production_settings(env):
    return subprocess.run(
        [sys.executable, "-c", "import clinic_site.settings.production"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_a_missing_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = _import_production_settings(env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_read_the_environment():
    env = dict(
        os.environ,
        **PRODUCTION,
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="clinic.example,www.clinic.example",
    )
    code = (
        "import clinic_site.settings.production as s;print(s.ALLOWED_HOSTS, s.DEBUG, s.EMAIL_HOST)"
    )
    env["EMAIL_HOST"] = "smtp.clinic.example"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['clinic.example', 'www.clinic.example'] False smtp.clinic.example"
    )


@pytest.mark.parametrize("configured, expected", [(None, "600"), ("0", "0")])
def test_production_settings_keep_database_connections(configured, expected):
    env = dict(os.environ, **PRODUCTION, SECRET_KEY="x" * 50)
    env.pop("DATABASE_CONN_MAX_AGE", None)
    if configured is not None:
        env["DATABASE_CONN_MAX_AGE"] = configured
    code = (
        "import clinic_site.settings.production as s;d=s.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{expected} True"


def test_home_page_lists_the_live_treatments(client, home_page):
    from procedures.models import ProcedurePage

    index = ProcedurePage.objects.get().get_parent()
    draft = index.add_child(
        instance=ProcedurePage(title="Sample draft treatment", summary="Sample content.")
    )
    draft.unpublish()
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    cards = soup.select(".procedure-list .card")
    assert [card.a.get_text() for card in cards] == ["Prolotherapy"]
    assert cards[0].a["href"] == "/procedures/prolotherapy/"
    assert "irritant solution" in cards[0].get_text()


def test_a_missing_page_says_so_and_offers_a_way_on(client, home_page):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("h1").get_text() == "Page not found"
    assert soup.find("a", string="Go to the home page")["href"] == "/"


def test_sitemap_lists_the_live_pages(client, home_page):
    assert "<loc>http://testserver/sitemap-pages.xml</loc>" in client.get("/sitemap.xml").text
    response = client.get("/sitemap-pages.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/", "/procedures/", "/procedures/prolotherapy/", "/contact/"):
        assert f"<loc>http://localhost{path}</loc>" in body


def home_soup(client):
    response = client.get("/")
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def test_home_page_shows_the_featured_treatments_in_the_editors_order(client, home_page):
    from home.models import FeaturedTreatment
    from tests.conftest import add_procedures

    first, second, hidden = add_procedures(3, title="Featured")
    hidden.unpublish()
    home_page.featured_treatments.all().delete()
    for order, procedure in enumerate([second, hidden, first]):
        FeaturedTreatment.objects.create(home_page=home_page, procedure=procedure, sort_order=order)

    soup = home_soup(client)
    titles = [a.get_text(strip=True) for a in soup.select(".procedure-list h3 a")]
    # In the editors' order; a treatment taken offline is left out; the rest are not listed.
    assert titles == ["Featured 002", "Featured 001"]
    assert soup.find("a", string="See all our treatments")["href"] == "/procedures/"


def test_home_page_gives_the_call_button_search_box_and_urgent_help(client, home_page):
    settings = ClinicSettings.objects.get()
    settings.emergency_number = "112"
    settings.save()
    soup = home_soup(client)
    call = soup.select_one("a.button--call")
    assert call.get_text(strip=True) == "Call us on +44 20 7946 0000"
    assert call["href"] == "tel:+442079460000"
    box = soup.select_one("main form[action='/search/'] input[name=q]")
    assert soup.find("label", attrs={"for": box["id"]}).get_text(strip=True)
    urgent = soup.find("aside", attrs={"aria-labelledby": "urgent-help-heading"})
    assert urgent.h2.get_text() == "If you need urgent help"
    assert urgent.find("a", href="tel:112").get_text() == "112"


def test_home_page_shows_each_location_with_opening_hours_and_directions(client, home_page):
    soup = home_soup(client)
    (location,) = soup.select("main .location")
    assert location.find("h3").get_text() == "Example Clinic"
    week = {
        row.th.get_text(strip=True): row.td.get_text(strip=True)
        for row in location.select(".opening-hours tr")
    }
    assert week["Monday"] == "09:00–17:00"
    assert week["Sunday"] == "Closed"
    directions = location.select_one("a[href^='https://www.openstreetmap.org/directions?']")
    assert directions.get_text().startswith("Get directions to Example Clinic")


def test_home_page_queries_do_not_grow_with_the_treatments(client, home_page):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import add_procedures

    client.get("/")
    cache.clear()  # the page is rendered again, not answered from the page cache
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add_procedures(30)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_editors_feature_treatments_in_the_admin(admin_client, home_page):
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

    from procedures.models import ProcedurePage
    from tests.conftest import add_procedures

    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    (other,) = add_procedures(1, title="Other")
    home_page.featured_treatments.all().delete()
    data = nested_form_data(
        {
            "title": "Home",
            "slug": "home",
            "introduction": "Welcome.",
            "body": rich_text(""),
            "featured_treatments": inline_formset(
                [{"procedure": prolotherapy.pk, "ORDER": 2}, {"procedure": other.pk, "ORDER": 1}]
            ),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(f"/admin/pages/{home_page.pk}/edit/", data)
    assert response.status_code == 302
    home_page.refresh_from_db()
    featured = [item.procedure_id for item in home_page.featured_treatments.all()]
    assert featured == [other.pk, prolotherapy.pk]
    titles = [a.get_text(strip=True) for a in home_soup(admin_client).select(".procedure-list a")]
    assert titles == ["Other 001", "Prolotherapy"]


def test_the_clinic_time_zone_comes_from_the_environment():
    code = "import clinic_site.settings.production as s;print(s.TIME_ZONE)"
    env = {k: v for k, v in os.environ.items() if k != "TIME_ZONE"}
    env.update(PRODUCTION, SECRET_KEY="x" * 50)
    run = [sys.executable, "-c", code]
    default = subprocess.run(run, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert default.stdout.strip() == "Europe/London", default.stderr
    env["TIME_ZONE"] = "Europe/Lisbon"
    chosen = subprocess.run(run, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert chosen.stdout.strip() == "Europe/Lisbon", chosen.stderr
