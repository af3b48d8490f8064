"""What a patient does in a browser: finds a treatment, reads it on a small phone, reaches
the clinic, and sees a map only after asking for it."""

import re

import pytest
from playwright.sync_api import expect

from tests.test_production_server import production_server  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

PROLOTHERAPY = "/procedures/prolotherapy/"


def same_origin_only(page, site):
    """Collect every request the page makes to a host other than the site's."""
    foreign = []
    page.on("request", lambda r: r.url.startswith(site + "/") or foreign.append(r.url))
    return foreign


# The map.


def test_show_map_loads_the_map_and_nothing_loads_before_it(site, page):
    foreign = same_origin_only(page, site)
    tiles = []
    page.route(
        "**/tile.openstreetmap.org/**",
        lambda route: (tiles.append(route.request.url), route.abort()),
    )
    page.goto(site + PROLOTHERAPY)
    page.wait_for_load_state("load")
    assert foreign == []
    assert page.evaluate("() => window.L === undefined")
    expect(page.locator("[data-map]")).to_be_hidden()

    page.get_by_role("button", name="Show map").click()
    page.wait_for_function("() => window.L !== undefined")
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
    # The tiles are asked for only now, from the host the settings name.
    expect(page.get_by_role("status")).not_to_be_empty()
    assert tiles and all(url.startswith("https://tile.openstreetmap.org/") for url in tiles)
    assert foreign and set(foreign) == set(tiles)


def test_the_map_pin_shows_under_production_static_storage(production_server, browser):  # noqa: F811
    """gunicorn with the production settings: static files have hashed names (WhiteNoise's
    manifest storage), which Leaflet cannot guess; the page gives it the marker's address."""
    origin = production_server.replace("127.0.0.1", "localhost")
    context = browser.new_context(extra_http_headers={"X-Forwarded-Proto": "https"})
    try:
        page = context.new_page()
        missing = []
        page.on("response", lambda r: r.status >= 400 and missing.append(r.url))
        page.route(re.compile(r"^https://tile\.openstreetmap\.org/"), lambda route: route.abort())
        page.goto(origin + PROLOTHERAPY)
        page.get_by_role("button", name="Show map").click()
        marker = page.locator("[data-map] .leaflet-marker-icon")
        expect(marker).to_have_count(1)
        assert re.search(r"/marker-icon\.[0-9a-f]{12}\.png$", marker.get_attribute("src"))
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=marker.element_handle()
        )
        assert missing == [], f"not found: {missing}"
    finally:
        context.close()


def test_a_setting_loads_the_map_at_once_from_the_tile_server_it_names(site, page, settings):
    settings.MAP_LOAD_AT_ONCE = True
    settings.MAP_TILE_URL = "https://tiles.clinic.example/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Tiles by the clinic"
    tiles = []
    page.route(
        "https://tiles.clinic.example/**",
        lambda route: (tiles.append(route.request.url), route.abort()),
    )
    page.goto(site + PROLOTHERAPY)
    expect(page.get_by_role("button", name="Show map")).to_be_hidden()
    expect(page.locator("[data-map] .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("[data-map] .leaflet-control-attribution")).to_contain_text(
        "Tiles by the clinic"
    )
    assert tiles
