from django import template
from wagtail.models import Site

from pagecache.models import kept_for_this_version

register = template.Library()


@register.inclusion_tag("components/navigation.html", takes_context=True)
def main_navigation(context):
    """The site's top-level pages marked 'show in menus', in tree order: one query, kept in
    the cache until the content version moves on (the query reads every page of the site's
    tree in path order, so its cost grows with the number of pages).

    Each item says whether it is the current page ("page") or one of its ancestors ("true"),
    for aria-current.
    """
    request = context["request"]
    site = Site.find_for_request(request)
    current = context.get("page")
    current_path = getattr(current, "path", "")
    items = []
    if site is not None:
        menu = kept_for_this_version(
            f"menu:{site.pk}", lambda: list(site.root_page.get_children().live().in_menu())
        )
        for item in menu:
            if current_path == item.path:
                state = "page"
            elif current_path.startswith(item.path):
                state = "true"
            else:
                state = ""
            items.append({"page": item, "current": state})
    return {"request": request, "items": items}
