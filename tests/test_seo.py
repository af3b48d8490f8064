"""What search engines and link previews read: a title, description, canonical address and
Open Graph and Twitter tags on every page; the icon, manifest, robots.txt and sitemap; the
clinic's JSON-LD on the home page. Absolute addresses use the Site's own hostname."""

import io
import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image
from wagtail.models import Site

from procedures.models import ProcedurePage
from tests.public_pages import PUBLIC_STATES

ROOT = "https://www.clinic.example"


@pytest.fixture
def site_on_its_hostname(demo_content):
    site = Site.objects.get(is_default_site=True)
    site.hostname, site.port = "www.clinic.example", 443
    site.save()
    return site


def meta(soup, **attrs):
    tag = soup.find("meta", attrs=attrs)
    return tag["content"] if tag else None


@pytest.mark.parametrize("state", [s for s in PUBLIC_STATES if s != "page not found"])
def test_every_page_has_a_title_description_canonical_and_sharing_tags(
    client, site_on_its_hostname, state
):
    soup = BeautifulSoup(PUBLIC_STATES[state](client).content, "html.parser")
    title = soup.title.get_text()
    assert title.endswith(" | Example Clinic") and len(title) > len(" | Example Clinic")
    description = meta(soup, name="description")
    assert description and len(description) > 20
    canonical = soup.find("link", rel="canonical")["href"]
    assert canonical.startswith(ROOT + "/")
    assert meta(soup, property="og:url") == canonical
    assert meta(soup, property="og:title")
    assert meta(soup, property="og:description") == description
    assert meta(soup, property="og:site_name") == "Example Clinic"
    assert meta(soup, name="twitter:card") == "summary"
    assert soup.find("link", rel="manifest")["href"] == "/site.webmanifest"


def test_canonical_addresses_keep_only_what_changes_the_page(client, site_on_its_hostname):
    def canonical(url, **params):
        soup = BeautifulSoup(client.get(url, params).content, "html.parser")
        return soup.find("link", rel="canonical")["href"]

    assert canonical("/") == ROOT + "/"
    assert canonical("/procedures/prolotherapy/", utm_source="x") == (
        ROOT + "/procedures/prolotherapy/"
    )
    assert canonical("/procedures/", area="knee", page="1") == ROOT + "/procedures/?area=knee"
    assert canonical("/search/", q="knee") == ROOT + "/search/?q=knee"


def test_a_page_with_a_picture_shares_it_as_a_rendition(client, site_on_its_hostname):
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), (200, 220, 240)).save(buffer, "PNG")
    image = Image.objects.create(
        title="Knee injection", file=ImageFile(buffer, name="knee.png"), description="A knee"
    )
    page = ProcedurePage.objects.get(slug="prolotherapy")
    page.image = image
    page.save_revision().publish()

    soup = BeautifulSoup(client.get("/procedures/prolotherapy/").content, "html.parser")
    rendition = image.get_rendition("fill-1200x630")
    assert meta(soup, property="og:image") == ROOT + rendition.url
    assert (rendition.width, rendition.height) == (1200, 630)
    assert meta(soup, name="twitter:card") == "summary_large_image"
    assert meta(soup, name="twitter:image") == ROOT + rendition.url


def test_favicon_and_web_manifest(client, site_on_its_hostname):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/images/favicon.ico"
    manifest = json.loads(client.get("/site.webmanifest").content)
    assert manifest["name"] == "Example Clinic"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_robots_txt_points_at_the_sitemap(client, site_on_its_hostname):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {ROOT}/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines


def test_every_sitemap_entry_has_its_address_and_last_change(client, site_on_its_hostname):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(client.get("/sitemap.xml", HTTP_HOST="www.clinic.example").content)
    pages = [entry.find("s:loc", ns).text for entry in index.findall("s:sitemap", ns)]
    assert pages == [f"{ROOT}/sitemap-pages.xml"]  # one page of the sitemap: a small site
    tree = ET.fromstring(client.get("/sitemap-pages.xml").content)
    entries = {
        url.find("s:loc", ns).text: url.find("s:lastmod", ns) for url in tree.findall("s:url", ns)
    }
    assert set(entries) == {
        f"{ROOT}/",
        f"{ROOT}/procedures/",
        f"{ROOT}/procedures/prolotherapy/",
        f"{ROOT}/contact/",
        f"{ROOT}/clinicians/",
        f"{ROOT}/clinicians/example-clinician/",
    }
    assert all(lastmod is not None and lastmod.text for lastmod in entries.values())


def test_the_home_page_describes_the_clinic_in_json_ld(client, site_on_its_hostname):
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    (clinic,) = data["@graph"]
    assert clinic["@type"] == "MedicalClinic"
    assert clinic["url"] == ROOT + "/"
    assert clinic["address"]["addressLocality"] == "Exampletown"
    assert clinic["geo"]["latitude"] == pytest.approx(51.5074)
    assert clinic["telephone"]
    assert clinic["openingHoursSpecification"] == [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [
                f"https://schema.org/{day}"
                for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
            ],
            "opens": "09:00",
            "closes": "17:00",
        }
    ]
