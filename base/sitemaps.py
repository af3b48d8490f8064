"""The sitemap, in pages of at most URLS_PER_PAGE addresses: /sitemap.xml is the index (Django's
sitemap index view), naming /sitemap-pages.xml, /sitemap-pages.xml?p=2 and so on, each a page
of Wagtail's sitemap (every live, public page of the site, in tree order). A page of the
sitemap costs the same however many pages the site has; the index reads two numbers (how
many pages, the latest publication), not the pages themselves. robots.txt names the index.

Each is kept by the page cache like a page (a page of the sitemap under its own `?p=`)."""

from urllib.parse import urlsplit

from django.db.models import Max
from django.urls import reverse
from wagtail.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps.views import index, sitemap

URLS_PER_PAGE = 1000
SECTION = "pages"
INDEX_URL_NAME = "sitemap"
SECTION_URL_NAME = "sitemap-section"


class PageSitemap(Sitemap):
    """Wagtail's sitemap of the request's site (or of `site`), URLS_PER_PAGE to a page."""

    limit = URLS_PER_PAGE

    def __init__(self, request=None, site=None):
        super().__init__(request)
        self.site = site

    def get_wagtail_site(self):
        return self.site or super().get_wagtail_site()

    @property
    def protocol(self):
        """The index names each page of the sitemap with the site's own scheme, as the
        sitemap names the pages (behind a proxy that ends HTTPS, the request's is http)."""
        return urlsplit(self.get_wagtail_site().root_url).scheme

    def get_latest_lastmod(self):
        """For the index: the latest publication, one query (Django's own reads every page)."""
        return self.items().aggregate(latest=Max("last_published_at"))["latest"]


SITEMAPS = {SECTION: PageSitemap}


def sitemap_index(request):
    return index(request, SITEMAPS, sitemap_url_name=SECTION_URL_NAME)


def sitemap_section(request, section):
    response = sitemap(request, SITEMAPS, section=section)
    # Only here is the page number known to be a real page: the page cache keeps this
    # address when the query string is exactly this (pagecache/middleware.py).
    number = int(request.GET.get("p", 1))
    response.context_data["canonical_params"] = {"p": number if number > 1 else ""}
    return response


def sitemap_urls(site):
    """Every address of `site`'s sitemap: the index and each of its pages (for a CDN purge)."""
    pages = PageSitemap(site=site).paginator.num_pages
    section = site.root_url + reverse(SECTION_URL_NAME, kwargs={"section": SECTION})
    return [
        site.root_url + reverse(INDEX_URL_NAME),
        section,
        *(f"{section}?p={number}" for number in range(2, pages + 1)),
    ]
