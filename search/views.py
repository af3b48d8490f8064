"""/search/: Wagtail's search over the site's live pages (the database backend: SQLite's
full-text search, or PostgreSQL's), a page of results at a time."""

import functools
import operator
import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import BigIntegerField, Q
from django.db.models.functions import Cast
from django.template.response import TemplateResponse
from wagtail.models import Page, Site
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from base.pagination import paginate
from procedures.models import ProcedureIndexPage

RESULTS_PER_PAGE = 10
MAX_QUERY_LENGTH = 200


def search_terms(query):
    """The words of what the patient typed. Punctuation is dropped: it means nothing to the
    search and some backends (SQLite's FTS5) read it as query syntax."""
    return " ".join(re.findall(r"\w+", query))


def among_candidates(pages, terms):
    """On PostgreSQL, `pages` narrowed to those whose search entry holds one of the words, in
    its title or its body, found through the full-text indexes of Wagtail's search table; the
    search then matches and ranks them as it would all of them. Its own query matches title
    and body joined together, which no index serves, and joins each page by a text copy of its
    id: without this, every search reads every page and every entry, however few it finds."""
    if connection.vendor != "postgresql":
        return pages  # SQLite's full-text table finds the words through its own index
    config = getattr(get_search_backend(), "config", None)  # the search's own, as it stems
    words = (SearchQuery(word, search_type="plain", config=config) for word in terms.split())
    query = functools.reduce(operator.or_, words)
    entries = IndexEntry.objects.filter(Q(title=query) | Q(body=query))
    return pages.filter(pk__in=entries.values(page_id=Cast("object_id", BigIntegerField())))


def search(request):
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    site = Site.find_for_request(request)
    results = None
    if query and site is not None:
        terms = search_terms(query)
        pages = Page.objects.live().public().in_site(site).specific()
        pages = among_candidates(pages, terms).search(terms) if terms else pages.none()
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
