"""One page of a long list, with the page links to show (the first, the last and those
around the current one; "…" for the gaps)."""

from django.core.paginator import Paginator


def paginate(request, items, per_page, count=None):
    """The page the request asks for (`?page=`). `count`, when given, says how many items
    there are (a number, or a function that returns it) instead of the database counting
    them."""
    paginator = Paginator(items, per_page)
    if count is not None:
        paginator.count = count() if callable(count) else count
    page = paginator.get_page(request.GET.get("page"))
    page.links = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page
