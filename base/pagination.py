"""One page of a long list, with the page links to show (the first, the last and those
around the current one; "…" for the gaps)."""

from django.core.paginator import Paginator


def paginate(request, items, per_page):
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.links = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page
