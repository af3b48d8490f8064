"""One page of a long list, with the page links to show (the first, the last and those
around the current one; "…" for the gaps)."""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window


class CountingPaginator(Paginator):
    """A Paginator of a queryset that reads a page and the length of the whole list in one
    query (a window function, COUNT(*) OVER ()), where Paginator asks for the count first.
    A page past the end is found as Paginator finds it (the count, then the last page)."""

    TOTAL = "paginator_list_total"

    def get_page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        if number >= 1 and not self.orphans and "count" not in self.__dict__:
            bottom = (number - 1) * self.per_page
            counted = self.object_list.annotate(**{self.TOTAL: Window(Count("pk"))})
            items = list(counted[bottom : bottom + self.per_page])
            if items:
                self.count = getattr(items[0], self.TOTAL)
                return self._get_page(items, number, self)
        return super().get_page(number)


def paginate(request, items, per_page):
    paginator_class = CountingPaginator if isinstance(items, QuerySet) else Paginator
    paginator = paginator_class(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.links = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page
