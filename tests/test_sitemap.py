"""The sitemap in pages (base/sitemaps.py): /sitemap.xml is an index of pages of at most 1,000
addresses each, so that no single request renders every page of a large site; each page of
the sitemap costs as many queries however many pages there are, and the page cache keeps it
under its own address."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from base.sitemaps import URLS_PER_PAGE, sitemap_urls
from tests.conftest import add_procedures_in_bulk

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ROOT = "http://localhost"


def xml_of(client, path):
    response = client.get(path, HTTP_HOST="localhost")  # the Site's own host name
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def index_entries(client):
    tree = xml_of(client, "/sitemap.xml")
    assert tree.tag == f"{{{NS['s']}}}sitemapindex"
    return [entry.find("s:loc", NS).text for entry in tree.findall("s:sitemap", NS)]


def addresses(client, path):
    tree = xml_of(client, path)
    return [entry.find("s:loc", NS).text for entry in tree.findall("s:url", NS)]


def path_of(url):
    assert url.startswith(ROOT)
    return url[len(ROOT) :]


def test_the_sitemap_is_an_index_of_pages_of_at_most_1000_addresses(client, demo_content):
    add_procedures_in_bulk(2100, title="Sample treatment")
    entries = index_entries(client)
    assert entries == [
        f"{ROOT}/sitemap-pages.xml",
        f"{ROOT}/sitemap-pages.xml?p=2",
        f"{ROOT}/sitemap-pages.xml?p=3",
    ]
    pages = [addresses(client, path_of(entry)) for entry in entries]
    assert [len(page) for page in pages] == [URLS_PER_PAGE, URLS_PER_PAGE, 2106 - 2 * URLS_PER_PAGE]
    every = [url for page in pages for url in page]
    assert len(set(every)) == len(every) == 2106  # each live page once: the demo's six too
    assert f"{ROOT}/procedures/prolotherapy/" in every
    assert client.get("/sitemap-pages.xml?p=4").status_code == 404
    # The CDN purge names the same addresses.
    assert sitemap_urls(Site.objects.get()) == [f"{ROOT}/sitemap.xml", *entries]


def queries(client, path):
    client.get(path)
    cache.clear()
    reset_queries()  # the query log holds 9,000 at most: start it empty, so that none is lost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return captured.captured_queries


def test_the_index_and_each_page_take_as_many_queries_however_many_pages(client, demo_content):
    add_procedures_in_bulk(1100, title="Sample treatment")
    index_before, page_before = (
        queries(client, "/sitemap.xml"),
        queries(client, "/sitemap-pages.xml"),
    )
    add_procedures_in_bulk(1000, title="Another treatment")  # the first page: the same types
    index_after, page_after = (
        queries(client, "/sitemap.xml"),
        queries(client, "/sitemap-pages.xml"),
    )
    assert len(index_after) == len(index_before)
    assert len(page_after) == len(page_before)
    # The index reads how many pages there are and when the latest was published, not them.
    page_reads = [q["sql"] for q in index_after if 'FROM "wagtailcore_page"' in q["sql"]]
    assert page_reads and all(
        sql.startswith("SELECT COUNT(*)") or "MAX(" in sql for sql in page_reads
    )


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-pages.xml", "/sitemap-pages.xml?p=2"])
def test_each_part_of_the_sitemap_is_kept_under_its_own_address(client, demo_content, path):
    add_procedures_in_bulk(1000, title="Sample treatment")
    assert client.get(path)["X-Page-Cache"] == "miss"
    assert client.get(path)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("query", ["?p=1", "?p=02", "?p=2&p=2", "?p=2&utm_source=x"])
def test_other_addresses_of_a_sitemap_page_are_not_kept(client, demo_content, query):
    add_procedures_in_bulk(1000, title="Sample treatment")
    for _ in range(2):
        response = client.get("/sitemap-pages.xml" + query)
        assert response.status_code == 200
        assert "X-Page-Cache" not in response


def test_robots_txt_names_the_index(client, demo_content):
    assert "Sitemap: http://localhost/sitemap.xml" in client.get("/robots.txt").content.decode()
