"""The Content-Security-Policy lets the site work: public pages, the map, the contact form's
new captcha picture and Wagtail's admin, with no violation reported by the browser."""

import io
import re

import pytest
from django.contrib.auth.models import User
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TILES = "**/tile.openstreetmap.org/**"
PASSWORD = "csp-check-password"

# Every violation the page reports, passed on to the test (the listener is installed in each
# new document before the page's own scripts run).
REPORT_VIOLATIONS = """
window.cspViolations = 0;
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations += 1;
  window.reportCspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} on ${location.pathname}`
  );
});
"""


@pytest.fixture
def violations(page):
    """The CSP violations seen by the page: its events and the console's messages."""
    seen = []
    page.expose_function("reportCspViolation", lambda text: seen.append(text))
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            seen.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return seen


def serve_plain_tiles(page):
    """OpenStreetMap as if it answered (this machine has no internet): plain green tiles.
    The policy is applied before a request is made, so routed tiles are checked too."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (205, 225, 200)).save(buffer, "PNG")
    tile = buffer.getvalue()
    page.route(TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=tile))


def test_public_pages_the_map_and_the_captcha_work_under_the_policy(site, page, violations):
    response = page.goto(site + "/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org" in policy
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(site + "/procedures/")
    expect(page.get_by_role("link", name=re.compile("Prolotherapy"))).to_be_visible()

    serve_plain_tiles(page)
    page.goto(site + "/procedures/prolotherapy/")
    page.locator("[data-map]").scroll_into_view_if_needed()
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

    assert violations == []

    # The policy does block what it should: a script slipped into a page does not run.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.slippedIn = true";
          document.body.append(script);
        }"""
    )
    page.wait_for_function("() => window.cspViolations > 0")
    assert page.evaluate("() => window.slippedIn") is None
    assert any("script-src" in violation for violation in violations), violations


def log_in(page, site, username, password):
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("Clinic|Dashboard"))).to_be_visible()


def test_the_admin_works_under_the_policy(site, page, violations):
    from procedures.models import ProcedureIndexPage, ProcedurePage

    User.objects.create_superuser("csp-admin", "csp@clinic.example", PASSWORD)
    prolotherapy = ProcedurePage.objects.get(slug="prolotherapy")
    index = ProcedureIndexPage.objects.get()
    log_in(page, site, "csp-admin", PASSWORD)

    # The page editor: StreamField, rich text (Draftail), date choosers, the image chooser.
    page.goto(f"{site}/admin/pages/{prolotherapy.pk}/edit/")
    expect(page.locator(".Draftail-Editor").first).to_be_visible()
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    page.get_by_role("button", name="Choose an image").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")

    page.goto(f"{site}/admin/pages/add/procedures/procedurepage/{index.pk}/")
    expect(page.locator(".Draftail-Editor").first).to_be_visible()

    for path in ["/admin/pages/", "/admin/forms/", "/admin/snippets/", "/admin/reports/"]:
        page.goto(site + path)
        expect(page.locator("main")).to_be_visible()

    # A public page seen by staff carries Wagtail's user bar.
    page.goto(site + "/")
    expect(page.locator("wagtail-userbar")).to_be_attached()

    assert violations == []
