"""/search/: Wagtail's search over the site's live pages (the database backend: SQLite's
full-text search, or PostgreSQL's), a page of results at a time."""

import re

from django.template.response import TemplateResponse
from wagtail.models import Page, Site

from base.pagination import paginate
from procedures.models import ProcedureIndexPage

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search_terms(query):
    """The words of what the patient typed. Punctuation is dropped: it means nothing to the
    search and some backends (SQLite's FTS5) read it as query syntax."""
    return " ".join(re.findall(r"\w+", query))


def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    site = Site.find_for_request(request)
    results = None
    if query and site is not None:
        terms = search_terms(query)
        pages = Page.objects.live().public().in_site(site).specific()
        pages = pages.search(terms) if terms else pages.none()
        results = paginate(request, pages, RESULTS_PER_PAGE)
    treatments = (
        ProcedureIndexPage.objects.live().in_site(site).first() if site is not None else None
    )
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "results": results,
            "treatments": treatments,
            "meta_title": f"Search results for “{query}”" if query else "Search",
            "meta_description": "Search the clinic's treatments and pages.",
            "canonical_url": (site.root_url if site else "") + request.path,
            "canonical_params": {"q": query},
        },
    )
