from django.core.management.base import BaseCommand
from django.db import transaction

from home.demo import load_home


class Command(BaseCommand):
    help = (
        "Load the demo content: the home page, the clinic's settings, the prolotherapy page "
        "and its references, a clinic location and the contact page. Running it again "
        "changes nothing."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        home, site = load_home()
        self.stdout.write(f"Demo content ready at {site.root_url}")
