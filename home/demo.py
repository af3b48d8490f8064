"""Demo content for the home page and the clinic's settings (used by load_demo_content)."""

from wagtail.models import Page, Site

from .models import ClinicSettings, HomePage

CLINIC = {
    "clinic_name": "Example Clinic",
    "phone": "+44 20 7946 0000",
    "email": "hello@clinic.example",
    "address": "1 Example Street\nExampletown\nEX1 2AB",
}


def load_home():
    """The home page under the tree's root, the default site serving it, and the settings."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's first migration leaves a bare "Welcome" page as the site's root; the home
        # page takes its place (and its slug).
        for placeholder in root.get_children().filter(
            content_type__model="page", content_type__app_label="wagtailcore"
        ):
            if not placeholder.get_children().exists():
                placeholder.delete()
        root.refresh_from_db()
        home = root.add_child(
            instance=HomePage(
                title="Home",
                slug="home",
                introduction=(
                    "Clear, clinically reviewed information about the treatments we offer, "
                    "and how to reach us."
                ),
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True)
    if site.pk is None or site.root_page_id != home.pk or not site.site_name:
        site.root_page = home
        site.site_name = site.site_name or CLINIC["clinic_name"]
        site.save()
    ClinicSettings.objects.get_or_create(site=site, defaults=CLINIC)
    return home, site
