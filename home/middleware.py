"""The request's Site, with everything a page view needs from it, in one query."""

from django.conf import settings
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import PageViewRestriction, Site
from wagtail.models.sites import SiteRootPath

from clinic_site.pages import page_type_joins, specific_page, top_level_page_types
from clinic_site.sql import column, compiled_once, table
from pagecache.models import ContentVersion, remember_content_version

from .models import ClinicSettings

# Wagtail's order of preference among the sites that may answer a host (get_site_for_hostname).
HOSTNAME_AND_PORT, HOSTNAME_AND_DEFAULT, DEFAULT, HOSTNAME = range(4)


def site_for_host(sites, hostname, port):
    """The site that answers `hostname`:`port`, chosen by Wagtail's rules: the site with that
    hostname and port; else the default site if it has that hostname; else a single other
    site with that hostname; else the default site; else none. `port` is the request's, a
    string, as the database compares it with the sites' numbers."""
    port = int(port) if str(port).isdigit() else None

    def match(site):
        if site.hostname == hostname and site.port == port:
            return HOSTNAME_AND_PORT
        if site.hostname == hostname and site.is_default_site:
            return HOSTNAME_AND_DEFAULT
        if site.is_default_site:
            return DEFAULT
        return HOSTNAME

    candidates = sorted(
        (site for site in sites if site.hostname == hostname or site.is_default_site), key=match
    )
    if not candidates:
        return None
    best = candidates[0]
    if len(candidates) == 1 or match(best) in (HOSTNAME_AND_PORT, HOSTNAME_AND_DEFAULT):
        return best
    if match(best) == DEFAULT:
        return candidates[len(candidates) == 2]
    return None


class SiteMiddleware:
    """Before Wagtail serves a page, find its Site as Wagtail would, in one query that also
    brings the site's home page (in its specific type), its clinic settings, every site's root
    path (for page links) and whether any page has view restrictions. Wagtail, and the
    templates, then find them on the request instead of asking the database (three or four
    queries a page view otherwise, and the view restrictions two more)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Pages, and any view whose answer the page cache may keep (it needs the content
        # version, read here with the site, before the view renders).
        wants_site = view_func is wagtail_views.serve or getattr(
            request, "page_cache_candidate", False
        )
        if wants_site and not hasattr(request, "_wagtail_site"):
            find_site(request)

    @staticmethod
    def sites():
        # The two subqueries are written out: Django takes longer to build them from querysets
        # than the database takes to run them, and this query runs for every page.
        return (
            Site.objects.select_related(
                "root_page__locale",
                "clinicsettings",
                *page_type_joins("root_page__", top_level_page_types()),
            )
            .annotate(
                page_view_restrictions_exist=RawSQL(
                    f"EXISTS (SELECT 1 FROM {table(PageViewRestriction)})", (), BooleanField()
                ),
                content_version=RawSQL(
                    f"(SELECT {column(ContentVersion, 'number')} FROM {table(ContentVersion)} "
                    f"WHERE {column(ContentVersion, 'id')} = %s)",
                    (ContentVersion.ROW,),
                    ContentVersion._meta.get_field("number"),
                ),
            )
            .order_by()  # sorted in find_site: a few rows, and ORDER BY costs more to build
        )


def in_wagtails_order(sites):
    """Sites in Wagtail's order of root paths (the most specific first), as its query
    orders them: by root page's url_path descending, the default site first, then host."""
    sites = sorted(sites, key=lambda site: site.hostname)
    sites.sort(key=lambda site: site.is_default_site, reverse=True)
    sites.sort(key=lambda site: site.root_page.url_path, reverse=True)
    return sites


def find_site(request):
    sites = in_wagtails_order(
        compiled_once(Site, "sites", SiteMiddleware.sites, [ContentVersion.ROW])
    )
    hostname = split_domain_port(request._get_raw_host())[0]
    site = site_for_host(sites, hostname, request.get_port())
    request._wagtail_site = site
    if not sites:
        return
    remember_content_version(sites[0].content_version)
    request.page_view_restrictions_exist = sites[0].page_view_restrictions_exist
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        # Page.get_url() reads them here (Wagtail: from the cache, else one more query).
        request._wagtail_cached_site_root_paths = [
            SiteRootPath(s.id, s.root_page.url_path, s.root_url, s.root_page.locale.language_code)
            for s in sites
        ]
    if site is None:
        return
    site.root_page = specific_page(site.root_page)
    try:
        clinic_settings = site.clinicsettings
    except ClinicSettings.DoesNotExist:
        return  # ClinicSettings.for_request() creates them
    clinic_settings._request = request
    setattr(request, ClinicSettings.get_cache_attr_name(), clinic_settings)
