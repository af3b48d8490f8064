from django.core.management.base import BaseCommand
from django.db import transaction

from forms.demo import load_contact_page
from home.demo import load_home
from procedures.demo import load_procedures


class Command(BaseCommand):
    help = (
        "Load the demo content: the home page, the clinic's settings, the contact page, a "
        "clinic location, two references and the prolotherapy page. Running it again "
        "changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        home, site = load_home()
        contact = load_contact_page(home)
        index, prolotherapy = load_procedures(home, contact)
        self.stdout.write(f"Demo content ready at {site.root_url}")
        for page in (home, index, prolotherapy, contact):
            self.stdout.write(f"  {page.title}: {page.url_path[len(home.url_path) - 1 :]}")
