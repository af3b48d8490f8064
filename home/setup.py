"""What every installation needs, demo or production: the home page at the tree's root."""

from wagtail.models import Page

from .models import HomePage

INTRODUCTION = (
    "Clear, clinically reviewed information about the treatments we offer, and how to reach us."
)


def get_or_create_home_page():
    """The home page under the tree's root, created when missing."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    # Wagtail's first migration leaves a bare "Welcome" page as the site's root; the home
    # page takes its place (and its slug).
    for placeholder in root.get_children().filter(
        content_type__model="page", content_type__app_label="wagtailcore"
    ):
        if not placeholder.get_children().exists():
            placeholder.delete()
    root.refresh_from_db()
    return root.add_child(instance=HomePage(title="Home", slug="home", introduction=INTRODUCTION))
