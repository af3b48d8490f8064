"""Demo content for the home page and the clinic's settings (used by load_demo_content)."""

from wagtail.models import Site

from .models import ClinicSettings, FeaturedTreatment
from .setup import get_or_create_home_page

CLINIC = {
    "clinic_name": "Example Clinic",
    "phone": "+44 20 7946 0000",
    "email": "hello@clinic.example",
    "address": "1 Example Street\nExampletown\nEX1 2AB",
}


def load_home():
    """The home page under the tree's root, the default site serving it, and the settings."""
    home = get_or_create_home_page()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site(hostname="localhost", port=80, is_default_site=True)
    if site.pk is None or site.root_page_id != home.pk or not site.site_name:
        site.root_page = home
        site.site_name = site.site_name or CLINIC["clinic_name"]
        site.save()
    ClinicSettings.objects.get_or_create(site=site, defaults=CLINIC)
    return home, site


def load_featured_treatments(home, procedures):
    """Feature these treatments on the home page, unless the editors already chose some."""
    if home.featured_treatments.exists():
        return
    for procedure in procedures:
        home.featured_treatments.add(FeaturedTreatment(procedure=procedure))
    home.save_revision().publish()


# One local account per staff role, so each role can be tried (local use only).
STAFF_USERS = [
    # username, group, first name, last name
    ("editor", "Editors", "Erin", "Editor"),
    ("marketing", "Marketing", "Max", "Marketing"),
    ("reviewer", "Clinical reviewers", "Dr Riley", "Reviewer"),
    ("frontdesk", "Front desk", "Frankie", "Desk"),
]


def staff_password(username):
    return f"{username}-local-only"


def load_staff_users():
    """Create the role accounts that do not exist yet; return (username, group, password)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    accounts = []
    for username, group_name, first_name, last_name in STAFF_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                email=f"{username}@clinic.example",
                password=staff_password(username),
                first_name=first_name,
                last_name=last_name,
            )
            user.groups.add(Group.objects.get(name=group_name))
        accounts.append((username, group_name, staff_password(username)))
    return accounts
