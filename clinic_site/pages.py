"""Serving a page in fewer queries.

For every page view Wagtail reads the Site, its home page in its specific type, each step of
the page's path twice (the child by its slug, then its specific type) and, for the view
restrictions, the page's ancestors and then their restrictions; the main menu reads the home
page's children. Here the request's Site comes with its home page (home.middleware), the
pages of the whole path and of the main menu come in one query (`route_in_one_query`,
`menu_pages`), and the restrictions are not asked for when no page has any.

Wagtail's own rules are kept: a page type with its own `route()` takes over from its page on
the path, a page that is not live is not found, and when any page has view restrictions every
page is checked as Wagtail checks it.
"""

import functools

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import Http404
from wagtail.models import Page, PageViewRestriction

from clinic_site.sql import compiled_once


@functools.cache
def _page_type_accessors():
    """{page model: the name that joins its own table to a page query}, for the page types
    whose table joins the page table directly."""
    return {
        rel.related_model: rel.get_accessor_name()
        for rel in Page._meta.related_objects
        if rel.one_to_one and rel.parent_link
    }


def page_type_joins(prefix="", page_types=None):
    """select_related() names that join every page type's own table (or those of
    `page_types`) to a query of pages (or, with a prefix such as "root_page__", of the pages a
    relation leads to). With them, one query gives each page in its specific type; Wagtail's
    `.specific()` takes one query more for each type."""
    return [
        prefix + accessor
        for model, accessor in _page_type_accessors().items()
        if page_types is None or model in page_types
    ]


@functools.cache
def top_level_page_types():
    """The page types that may be created at the top of the tree, where a site's home page
    is (this site's HomePage). A site rooted deeper still works, with one query more."""
    return [model for model in _page_type_accessors() if Page in model.allowed_parent_page_models()]


@functools.cache
def nested_page_types():
    """The page types that may be created below another page: every page below a site's home
    page is of one of them (a type such as HomePage, allowed only at the top, never is)."""
    return [
        model
        for model in _page_type_accessors()
        if any(parent is not Page for parent in model.allowed_parent_page_models())
    ]


def specific_page(page):
    """`page.specific`, taken from a query made with page_type_joins() without asking the
    database again; a page whose type inherits from another page type is read as Wagtail
    reads it."""
    model = page.specific_class
    if model is None or isinstance(page, model):
        return page
    accessor = _page_type_accessors().get(model)
    if accessor is not None:
        try:
            specific = getattr(page, accessor)
        except ObjectDoesNotExist:
            specific = None
        if type(specific) is model:
            return specific
    return page.specific


def route_in_one_query(root, request, path_components):
    """`root.route(request, path_components)`, with every page on the path read in one query.

    Each page on the path is found by its slug under its parent, as Wagtail finds it (its
    `url_path` is its ancestors' slugs); a page type with its own `route()` takes over from
    its page with the rest of the path. The same query brings the main menu (`root`'s live
    children shown in menus), kept on the request for `menu_pages`."""
    depth = root.depth
    slugs = sorted(set(path_components))
    last_depth = depth + len(path_components)

    def pages_on_path_and_in_menu():
        wanted = Q(depth=depth + 1, live=True, show_in_menus=True)  # in the menu
        if slugs:
            wanted = Q(depth__gt=depth, depth__lte=last_depth, slug__in=slugs) | wanted
        return (
            Page.objects.filter(wanted, path__startswith=root.path)
            .select_related(*page_type_joins(page_types=nested_page_types()))
            .order_by()  # put in order here, for the menu; ORDER BY costs more to build
        )

    # The parameters in Django's order; a tree path holds only digits and capital letters,
    # so it needs no escaping in LIKE.
    on_path = [depth, last_depth, *slugs] if slugs else []
    params = [*on_path, depth + 1, f"{root.path}%"]
    candidates = compiled_once(Page, ("route", len(slugs)), pages_on_path_and_in_menu, params)
    menu = sorted((page for page in candidates if _in_menu_of(page, root)), key=lambda p: p.path)
    request._menu_pages = (root.pk, menu)
    by_url_path = {page.url_path: page for page in candidates}
    parent = root
    url_path = root.url_path
    for position, slug in enumerate(path_components):
        url_path += f"{slug}/"
        page = by_url_path.get(url_path)
        if page is None:
            raise Http404
        page = specific_page(page)
        page._cached_parent_obj = parent  # treebeard's get_parent() then asks nothing
        if type(page).route is not Page.route:
            return page.route(request, path_components[position + 1 :])
        parent = page
    return parent.route(request, [])


def _in_menu_of(page, root):
    return page.depth == root.depth + 1 and page.live and page.show_in_menus


def menu_pages(request, root):
    """`root`'s live children shown in menus, in tree order: those that routing read with
    the pages on the path (route_in_one_query), else one query."""
    known = getattr(request, "_menu_pages", None)
    if known is not None and known[0] == root.pk:
        return known[1]
    return list(root.get_children().live().in_menu())


def no_view_restrictions(request):
    """Whether the request found that no page has view restrictions (home.middleware)."""
    return getattr(request, "page_view_restrictions_exist", True) is False


class ViewRestrictionsMixin:
    """For page types: the view restrictions of a page that routing found to have none are
    an empty list, without the two queries Wagtail makes to find that out."""

    def get_view_restrictions(self):
        if getattr(self, "_known_to_have_no_view_restrictions", False):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()

    def mark_as_having_no_view_restrictions(self):
        self._known_to_have_no_view_restrictions = True
