"""What a person does in a browser: reads the pages (checked with axe for WCAG 2.2 AA),
moves with the keyboard, finds the clinic without the map, and fills in the contact form."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

PAGES = [
    "/",
    "/procedures/",
    "/procedures/prolotherapy/",
    "/clinicians/",
    "/clinicians/example-clinician/",
    "/contact/",
]
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

PROLOTHERAPY = "/procedures/prolotherapy/"
CONTACT = "/contact/"
TILES = r"^https://[a-z.]*tile\.openstreetmap\.org/"


def block_tiles(page, guard):
    """This machine (and CI) has no internet: make OpenStreetMap fail at once, not time out."""
    guard.route(page, TILES, lambda route: route.abort())


def serve_plain_tiles(page, guard):
    """OpenStreetMap as if it answered: every tile a plain 256x256 square."""
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (205, 225, 200)).save(buffer, "PNG")
    tile = buffer.getvalue()
    guard.route(
        page, TILES, lambda route: route.fulfill(status=200, content_type="image/png", body=tile)
    )


def axe_violations(page):
    # Evaluated by the browser's debugging protocol: a <script> tag with axe's code inline
    # would be blocked by the site's Content-Security-Policy.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return result["violations"]


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page):
    violations = axe_violations(page)
    assert violations == [], f"axe on {page.url}:\n{describe(violations)}"


def submit_empty_contact_form(page):
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()


# 1. No WCAG 2.2 AA violations that axe can find.


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_violations(site, page, path, viewport, browser_guard):
    page.set_viewport_size(viewport)
    block_tiles(page, browser_guard)
    page.goto(site + path)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_axe_finds_no_violations_on_contact_form_with_errors(site, page, viewport):
    page.set_viewport_size(viewport)
    page.goto(site + CONTACT)
    submit_empty_contact_form(page)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_axe_finds_no_violations_with_the_map_drawn(site, page, viewport, browser_guard):
    """When OpenStreetMap answers, the map's own markup (Leaflet's zoom buttons, marker and
    attribution) counts too. The tiles are plain green squares served by the test."""
    page.set_viewport_size(viewport)
    serve_plain_tiles(page, browser_guard)
    page.goto(site + PROLOTHERAPY)
    page.get_by_role("button", name="Show map").click()
    expect(page.locator("[data-map] .leaflet-tile-loaded").first).to_be_visible()
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_be_visible()
    expect(page.locator("[data-map]")).not_to_have_class(re.compile("offline"))
    assert_no_axe_violations(page)


# 2. Keyboard.


def test_first_tab_reaches_the_skip_link_and_enter_moves_focus_to_main(site, page, browser_guard):
    block_tiles(page, browser_guard)
    page.goto(site + PROLOTHERAPY)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({text: document.activeElement.textContent.trim(),"
        " href: document.activeElement.getAttribute('href')})"
    )
    assert focused == {"text": "Skip to main content", "href": "#main-content"}
    expect(page.get_by_role("link", name="Skip to main content")).to_be_visible()

    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.tagName === 'MAIN'")
    assert page.evaluate("() => document.activeElement.id") == "main-content"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")


# 3. The location map, with OpenStreetMap unreachable.


def test_location_details_work_without_the_map(site, page, browser_guard):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    missing = []
    page.on("response", lambda response: response.status >= 400 and missing.append(response.url))
    block_tiles(page, browser_guard)

    page.goto(site + PROLOTHERAPY, wait_until="load")

    script = page.locator("script[src*='location-map.js']")
    expect(script).to_have_count(1)
    assert script.get_attribute("defer") is not None
    # Leaflet is only fetched when the patient asks for the map.
    expect(page.get_by_role("button", name="Show map")).to_be_visible()
    assert page.evaluate("() => window.L === undefined")
    assert not [url for url in requests if "/vendor/leaflet/" in url]

    location = page.locator(".location-map")
    expect(location.locator("address")).to_be_visible()
    expect(location.locator("address")).not_to_be_empty()
    expect(location.get_by_role("link", name=re.compile(r"^\+?[0-9 ]+$"))).to_be_visible()
    directions = location.get_by_role("link", name=re.compile("^Get directions"))
    expect(directions).to_be_visible()
    assert directions.get_attribute("href").startswith("https://www.openstreetmap.org/")

    # "Show map" loads Leaflet from the site itself; the tiles fail.
    page.get_by_role("button", name="Show map").click()
    page.wait_for_function("() => window.L !== undefined")
    leaflet = [url for url in requests if "leaflet" in url]
    assert leaflet, "Leaflet was never requested"
    assert all(url.startswith(site + "/static/vendor/leaflet/") for url in leaflet), leaflet

    # With no tile at all, the empty grey box is hidden; the address and link stay.
    expect(page.locator("[data-map]")).to_have_class(re.compile("location-map__map--offline"))
    expect(page.locator("[data-map]")).to_be_hidden()
    expect(location.get_by_role("status")).to_have_text(re.compile("could not be loaded"))
    # Leaflet's marker picture is asked for by its own (static) address, and found.
    marker = page.locator("[data-map] .leaflet-marker-icon")
    assert marker.get_attribute("src") == script.get_attribute("data-marker-icon")
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=marker.element_handle()
    )
    assert missing == [], f"not found: {missing}"
    expect(location.locator("address")).to_be_visible()
    expect(directions).to_be_visible()


# 4. The contact form.


def test_empty_contact_form_shows_a_focused_error_summary_linking_to_the_fields(site, page):
    page.goto(site + CONTACT)
    submit_empty_contact_form(page)

    summary = page.locator("[data-error-summary]")
    assert page.title().startswith("Error: ")
    # The summary comes before the form and the heading, and has the focus.
    assert page.evaluate(
        "() => { const s = document.querySelector('[data-error-summary]');"
        " return s.compareDocumentPosition(document.querySelector('h1'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING; }"
    )
    page.wait_for_function(
        "() => document.activeElement === document.querySelector('[data-error-summary]')"
    )
    expect(summary).to_be_in_viewport()

    links = summary.locator("a[href^='#']")
    hrefs = links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    # Name, e-mail, message, the checkbox and the captcha are required.
    assert len(hrefs) >= 5, hrefs
    for index, href in enumerate(hrefs):
        links.nth(index).click()
        target = href[1:]
        page.wait_for_function("(id) => document.activeElement.id === id", arg=target)
        expect(page.locator(f"[id='{target}']")).to_be_in_viewport()
        page.locator("[data-error-summary]").scroll_into_view_if_needed()


def test_typed_text_stays_after_errors_and_after_a_new_captcha_picture(site, page):
    page.goto(site + CONTACT)
    name = page.get_by_role("textbox", name=re.compile("^Name"))
    message = page.get_by_role("textbox", name=re.compile("^Message"))
    name.fill("Alex Patient")
    message.fill("When are you open on Saturdays?")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator("[data-error-summary]")).to_be_visible()
    expect(name).to_have_value("Alex Patient")
    expect(message).to_have_value("When are you open on Saturdays?")

    captcha = page.locator("[data-captcha]")
    image = captcha.locator("img")
    old_src = image.get_attribute("src")
    old_key = captcha.locator("input[type=hidden]").input_value()
    captcha.locator("input[type=text]").fill("abcde")
    page.get_by_role("button", name="Get a new picture").click()
    expect(image).not_to_have_attribute("src", old_src)
    expect(captcha.locator("input[type=hidden]")).not_to_have_value(old_key)
    # The new picture is a real image, not a broken one.
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    expect(name).to_have_value("Alex Patient")
    expect(message).to_have_value("When are you open on Saturdays?")
    # The old answer belongs to the old picture, and the person is taken to the box.
    expect(captcha.locator("input[type=text]")).to_have_value("")
    expect(captcha.locator("input[type=text]")).to_be_focused()
    expect(captcha.locator("[role=status]")).to_have_text("A new picture has been shown.")


def test_error_summary_links_show_the_field_with_its_label_and_error(site, page):
    page.set_viewport_size(PHONE)
    page.goto(site + CONTACT)
    submit_empty_contact_form(page)
    links = page.locator("[data-error-summary] a[href^='#']")
    hidden = []
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href")[1:]
        link.click()
        page.wait_for_function("(id) => document.activeElement.id === id", arg=target)
        hidden += page.evaluate(
            """(id) => {
                const field = document.getElementById(id).closest(".field");
                return ["label, legend", ".field__error"]
                    .map((part) => [part, field.querySelector(part)])
                    .filter(([, el]) => el && el.getBoundingClientRect().top < 0)
                    .map(([part]) => `${id}: ${part}`);
            }""",
            target,
        )
        page.evaluate("() => window.scrollTo(0, 0)")
    assert hidden == [], f"above the screen after following the link: {hidden}"


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_a_new_captcha_picture_keeps_what_was_typed(site, page):
    """The button then submits the form, which comes back as typed, with no error shown."""
    page.goto(site + CONTACT)
    page.get_by_role("textbox", name=re.compile("^Name")).fill("Alex Patient")
    page.get_by_role("textbox", name=re.compile("^Message")).fill("Are you open late?")
    old_src = page.locator("[data-captcha] img").get_attribute("src")
    page.get_by_role("button", name="Get a new picture").click()
    expect(page.locator("[data-captcha] img")).not_to_have_attribute("src", old_src)
    expect(page.get_by_role("textbox", name=re.compile("^Name"))).to_have_value("Alex Patient")
    expect(page.get_by_role("textbox", name=re.compile("^Message"))).to_have_value(
        "Are you open late?"
    )
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    expect(page.locator(".field__error")).to_have_count(0)


# 5. Phones.


@pytest.mark.parametrize("path", PAGES)
def test_pages_fit_a_phone_screen_without_sideways_scrolling(site, page, browser_guard, path):
    block_tiles(page, browser_guard)
    page.set_viewport_size(PHONE)
    page.goto(site + path)
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})"
    )
    assert widths["page"] <= widths["screen"], f"{path} is wider than a phone: {widths}"
