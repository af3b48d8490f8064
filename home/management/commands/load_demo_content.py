from django.core.management.base import BaseCommand
from django.db import transaction

from forms.demo import load_contact_page
from home.demo import load_featured_treatments, load_home, load_staff_users
from procedures.demo import load_procedure_index, load_prolotherapy


class Command(BaseCommand):
    help = (
        "Load the demo content: the home page, the clinic's settings, the contact page, a "
        "clinic location, two references, the prolotherapy page and one account per staff role. "
        "Running it again "
        "changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        home, site = load_home()
        index = load_procedure_index(home)
        contact = load_contact_page(home)
        prolotherapy = load_prolotherapy(index, contact)
        load_featured_treatments(home, [prolotherapy])
        self.stdout.write(f"Demo content ready at {site.root_url}")
        for page in (home, index, prolotherapy, contact):
            self.stdout.write(f"  {page.title}: {page.url_path[len(home.url_path) - 1 :]}")
        self.stdout.write("Staff accounts, one per role (local use only; log in at /admin/):")
        for username, group, password in load_staff_users():
            self.stdout.write(f"  {group}: username '{username}', password '{password}'")
