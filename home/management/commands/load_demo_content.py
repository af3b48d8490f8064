from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forms.demo import load_contact_page
from home.demo import load_featured_treatments, load_home, load_staff_users
from practitioners.demo import (
    add_treatment,
    link_account,
    load_example_clinician,
    load_practitioner_index,
)
from procedures.demo import load_procedure_index, load_prolotherapy


class Command(BaseCommand):
    help = (
        "Load the demo content: the home page, the clinic's settings, the contact page, a "
        "clinic location, two references, the prolotherapy page, a fictional example clinician "
        "and one account per staff role (the reviewer's linked to the clinician). "
        "Running it again "
        "changes nothing. With DEBUG off it creates no account: it refuses to run unless "
        "given --no-accounts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-accounts",
            action="store_true",
            help="Load the pages only, without the staff accounts.",
        )

    @transaction.atomic
    def handle(self, *args, no_accounts=False, **options):
        if not settings.DEBUG and not no_accounts:
            raise CommandError(
                "DEBUG is off: load_demo_content will not create its staff accounts, whose "
                "passwords are published in the README. To set up a production site, use "
                "`manage.py setup_site`; to load the demo pages without accounts, add "
                "--no-accounts."
            )
        home, site = load_home()
        index = load_procedure_index(home)
        clinicians = load_practitioner_index(home)
        contact = load_contact_page(home)
        clinician = load_example_clinician(clinicians)
        prolotherapy = load_prolotherapy(index, contact, clinician)
        add_treatment(clinician, prolotherapy)
        load_featured_treatments(home, [prolotherapy])
        self.stdout.write(f"Demo content ready at {site.root_url}")
        for page in (home, index, prolotherapy, contact, clinicians, clinician):
            self.stdout.write(f"  {page.title}: {page.url_path[len(home.url_path) - 1 :]}")
        if no_accounts:
            return
        self.stdout.write("Staff accounts, one per role (local use only; log in at /admin/):")
        for username, group, password in load_staff_users():
            self.stdout.write(f"  {group}: username '{username}', password '{password}'")
        reviewer = get_user_model().objects.get(username="reviewer")
        link_account(clinician, reviewer)
        self.stdout.write(
            f"  The reviewer's account is linked to the profile of {clinician.title}."
        )
