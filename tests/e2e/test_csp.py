"""The Content-Security-Policy lets the site work: public pages, the map, the contact form's
new captcha picture and Wagtail's admin.

Chromium reports each violation of the policy as a console error, and the browser guard
(conftest.py) fails a test on any console error: so each step below also proves that nothing
on the page was blocked."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = pytest.mark.browser


def serve_plain_tiles(browser_guard, page):
    """OpenStreetMap as if it answered (this machine has no internet): plain green tiles.
    The policy is applied before a request is made, so routed tiles are checked too."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (205, 225, 200)).save(buffer, "PNG")
    tile = buffer.getvalue()
    browser_guard.route(
        page,
        r"^https://tile\.openstreetmap\.org/",
        lambda route: route.fulfill(status=200, content_type="image/png", body=tile),
    )


def directives(header):
    """A Content-Security-Policy header as {directive: [sources]}. The order of the
    directives means nothing, and django-csp builds them from a set: it differs between
    processes (Python's string hashing), so the header is never compared as a string."""
    policy = {}
    for part in filter(str.strip, header.split(";")):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def test_public_pages_the_map_and_the_captcha_work_under_the_policy(site, page, browser_guard):
    response = page.goto(site + "/")
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(site + "/procedures/")
    expect(page.get_by_role("link", name=re.compile("Prolotherapy")).first).to_be_visible()

    serve_plain_tiles(browser_guard, page)
    page.goto(site + "/procedures/prolotherapy/")
    page.get_by_role("button", name="Show map").click()
    expect(page.locator("[data-map] .leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_be_visible()

    page.goto(site + "/contact/")
    image = page.locator("[data-captcha] img")
    old_src = image.get_attribute("src")
    page.get_by_role("button", name="Get a new picture").click()
    expect(image).not_to_have_attribute("src", old_src)
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )


def test_the_admin_works_under_the_policy(site, page, superuser):
    from procedures.models import ProcedureIndexPage, ProcedurePage

    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    index = ProcedureIndexPage.objects.get()
    log_in(page, site, *superuser)

    # The page editor: StreamField, rich text (Draftail), date choosers, the image chooser.
    page.goto(f"{site}/admin/pages/{prolotherapy.pk}/edit/")
    expect(page.locator(".Draftail-Editor").first).to_be_visible()
    page.get_by_role("button", name="Choose an image").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(f"{site}/admin/pages/add/procedures/procedurepage/{index.pk}/")
    expect(page.locator(".Draftail-Editor").first).to_be_visible()

    for path in ["/admin/pages/", "/admin/forms/", "/admin/snippets/", "/admin/users/"]:
        page.goto(site + path)
        expect(page.locator("main")).to_be_visible()

    # A public page seen by staff carries Wagtail's user bar.
    page.goto(site + "/")
    expect(page.locator("wagtail-userbar")).to_be_attached()
