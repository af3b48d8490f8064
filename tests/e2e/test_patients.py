"""What a patient does in a browser: finds a treatment, reads it on a small phone, reaches
the clinic, and sees a map only after asking for it."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import add_procedures
from tests.test_production_server import production_server  # noqa: F401  (a fixture)

from .conftest import DESKTOP
from .test_pages_in_browser import assert_no_axe_violations

pytestmark = pytest.mark.browser

PROLOTHERAPY = "/procedures/prolotherapy/"
CONTACT = "/contact/"
NARROW = {"width": 320, "height": 640}
# Bytes a page may fetch on its first view (HTML, CSS, JavaScript, pictures).
FIRST_VIEW_BUDGET = 100_000


def captcha_answer(page):
    from captcha.models import CaptchaStore

    key = page.locator("[data-captcha] input[type=hidden]").input_value()
    return CaptchaStore.objects.get(hashkey=key).response


def send_contact_form(page):
    page.get_by_role("textbox", name=re.compile("^Name")).fill("Alex Patient")
    page.get_by_role("textbox", name=re.compile("^E-mail")).fill("alex@example.org")
    page.get_by_role("textbox", name=re.compile("^Message")).fill("Are you open on Saturdays?")
    page.get_by_role("checkbox").check()
    page.get_by_role("textbox", name=re.compile("^Type the characters")).fill(captcha_answer(page))
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Thank you"))


def open_contact_with_errors(page, site):
    page.goto(site + CONTACT)
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


def open_thank_you(page, site):
    page.goto(site + CONTACT)
    send_contact_form(page)


# Every state of every public page a patient can reach, and how to reach it.
STATES = {
    "home": "/",
    "index": "/procedures/",
    "index filtered": "/procedures/?area=knee",
    "procedure": PROLOTHERAPY,
    "search results": "/search/?q=knee",
    "nothing found": "/search/?q=zebra",
    "contact empty": CONTACT,
    "contact with errors": open_contact_with_errors,
    "thank-you": open_thank_you,
    "page not found": "/no-such-page/",
}


def first_view(page, site, state):
    """Open a page state in a fresh browser; return the bytes the page fetched (HTML, CSS,
    JavaScript, pictures: what was not already in the browser's cache) and every URL asked
    for on the way."""
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    how = STATES[state]
    if callable(how):
        how(page, site)
    else:
        page.goto(site + how)
    page.wait_for_load_state("load")
    size = page.evaluate(
        """() => performance.getEntriesByType("navigation")
            .concat(performance.getEntriesByType("resource").filter((e) => e.transferSize > 0))
            .reduce((sum, entry) => sum + entry.decodedBodySize, 0)"""
    )
    return size, urls


@pytest.mark.parametrize("state", STATES)
def test_each_public_page_state_reflows_at_320_px_asks_no_other_host_and_passes_axe(
    site, page, browser_guard, state
):
    if state == "page not found":
        # The browser logs the 404 status as a console error: here it is what is tested.
        browser_guard.expected.append(re.compile(r"/no-such-page/$"))
    page.set_viewport_size(NARROW)
    size, urls = first_view(page, site, state)
    assert [url for url in urls if not url.startswith(site + "/")] == []
    assert size < FIRST_VIEW_BUDGET, f"{state}: {size} bytes"
    print(f"first view of {state}: {size} bytes")
    # Nothing scrolls sideways (WCAG 1.4.10).
    too_wide = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
        }"""
    )
    assert too_wide == [], f"{state}: wider than 320px: {too_wide}"
    assert_no_axe_violations(page)
    page.set_viewport_size(DESKTOP)
    assert_no_axe_violations(page)


# Finding a treatment.


def test_a_patient_searches_opens_the_result_narrows_the_index_and_pages_through_it(site, page):
    from procedures.models import BodyArea

    shoulder = BodyArea.objects.create(name="Shoulder")
    add_procedures(24, title="Shoulder treatment", body_areas=[shoulder])

    page.goto(site + "/")
    box = page.get_by_role("searchbox", name="Search this site")
    box.fill("knee")
    box.press("Enter")
    expect(page.get_by_role("status")).to_have_text("1 result for “knee”.")
    expect(page.get_by_role("searchbox", name="Search this site")).to_have_value("knee")
    page.get_by_role("link", name="Prolotherapy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Prolotherapy")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Treatments").click()
    page.get_by_label("Show treatments for").select_option(label="Shoulder")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Treatments for shoulder")
    expect(page.get_by_role("status")).to_have_text("24 treatments for shoulder, page 1 of 2.")
    listed = page.locator(".procedure-list h2 a")
    expect(listed).to_have_count(20)
    expect(listed.first).to_have_text("Shoulder treatment 001")

    pages = page.get_by_role("navigation", name="Treatment list pages")
    pages.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("status")).to_have_text("24 treatments for shoulder, page 2 of 2.")
    expect(listed).to_have_text([f"Shoulder treatment {n:03d}" for n in range(21, 25)])
    expect(page.get_by_label("Show treatments for")).to_have_value("shoulder")
    pages.get_by_role("link", name="Page 1").click()
    expect(listed.first).to_have_text("Shoulder treatment 001")


# Print.


def test_a_printed_treatment_page_keeps_content_dates_and_sources_and_writes_out_links(site, page):
    page.goto(site + PROLOTHERAPY)
    page.emulate_media(media="print")
    for hidden in ["nav[aria-label=Main]", "form[role=search]", "[data-map-controls]"]:
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator(".review-info")).to_be_visible()
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    expect(page.locator(".citation-list")).to_be_visible()
    doi = page.locator(".citation-list a[href^='https://doi.org/']").first
    written_out = doi.evaluate("(a) => getComputedStyle(a, '::after').content")
    assert written_out == f'" ({doi.get_attribute("href")})"'


# The contact form with the keyboard alone.


def tab_to(page, name):
    """Press Tab until the element with this accessible name (start) has the focus."""
    for _ in range(40):
        page.keyboard.press("Tab")
        label = page.evaluate(
            """() => {
                const el = document.activeElement;
                const label = el.labels && el.labels[0];
                return ((label && label.textContent) || el.textContent || "").trim();
            }"""
        )
        if label.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_the_contact_form_can_be_sent_with_the_keyboard_alone(site, page):
    page.goto(site + CONTACT)
    tab_to(page, "Name")
    page.keyboard.type("Alex Patient")
    tab_to(page, "E-mail")
    page.keyboard.type("alex@example.org")
    tab_to(page, "Message")
    page.keyboard.type("Are you open on Saturdays?")
    tab_to(page, "My message contains no medical details")
    page.keyboard.press("Space")
    tab_to(page, "Type the characters")
    page.keyboard.type(captcha_answer(page))
    tab_to(page, "Send message")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Thank you"))

    from forms.models import ContactSubmission

    (submission,) = ContactSubmission.objects.all()
    assert submission.get_data()["message"] == "Are you open on Saturdays?"


# The map. (The browser guard fails a test on any request to another host that the test
# did not route on purpose.)

TILES = r"^https://tile\.openstreetmap\.org/"


def test_show_map_loads_the_map_and_nothing_loads_before_it(site, page, browser_guard):
    tiles = []
    browser_guard.route(page, TILES, lambda route: (tiles.append(route.request.url), route.abort()))
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(site + PROLOTHERAPY)
    page.wait_for_load_state("load")
    assert [url for url in urls if not url.startswith(site + "/")] == []
    assert page.evaluate("() => window.L === undefined")
    expect(page.locator("[data-map]")).to_be_hidden()

    page.get_by_role("button", name="Show map").click()
    page.wait_for_function("() => window.L !== undefined")
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
    # The tiles are asked for only now, from the host the settings name.
    expect(page.get_by_role("status")).not_to_be_empty()
    assert tiles
    assert [url for url in urls if not url.startswith(site + "/")] == tiles


def test_a_setting_loads_the_map_at_once_from_the_tile_server_it_names(
    site, page, settings, browser_guard
):
    settings.MAP_LOAD_AT_ONCE = True
    settings.MAP_TILE_URL = "https://tiles.clinic.example/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Tiles by the clinic"
    # As production derives it from MAP_TILE_URL at start-up: the policy lets in that host.
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {**policy, "img-src": ["'self'", "data:", "https://tiles.clinic.example"]}
    }
    tiles = []
    browser_guard.route(
        page,
        r"^https://tiles\.clinic\.example/",
        lambda route: (tiles.append(route.request.url), route.abort()),
    )
    page.goto(site + PROLOTHERAPY)
    expect(page.get_by_role("button", name="Show map")).to_be_hidden()
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("[data-map] .leaflet-control-attribution")).to_contain_text(
        "Tiles by the clinic"
    )
    assert tiles


def test_the_map_pin_shows_under_production_static_storage(
    production_server,  # noqa: F811
    site,
    new_context,
    browser_guard,
):
    """gunicorn with the production settings: static files have hashed names (WhiteNoise's
    manifest storage), which Leaflet cannot guess; the page gives it the marker's address.
    (`site` is not visited: it leaves the test database as the other browser tests expect.)"""
    production_site = production_server.replace("127.0.0.1", "localhost")  # the allowed host
    browser_guard.origin = production_site
    context = new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
    page = context.new_page()
    missing = []
    page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
    browser_guard.route(page, TILES, lambda route: route.abort())
    page.goto(production_site + PROLOTHERAPY)
    page.get_by_role("button", name="Show map").click()
    marker = page.locator("[data-map] .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    assert re.search(r"/marker-icon\.[0-9a-f]{12}\.png$", marker.get_attribute("src"))
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=marker.element_handle()
    )
    assert missing == [], f"not found: {missing}"
