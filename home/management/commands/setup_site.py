import os
import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from wagtail.models import Site

from base.models import ClinicSettings
from forms.demo import load_contact_page
from home.setup import get_or_create_home_page
from practitioners.demo import load_practitioner_index
from procedures.demo import load_procedure_index

# A host name: dot-separated labels of ASCII letters, digits and inner hyphens (RFC 1123).
HOSTNAME = re.compile(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
PORT = re.compile(r"[0-9]{1,5}")


class Command(BaseCommand):
    help = (
        "Set up a production site: the home page, the Treatments index, the Contact us page "
        "and the Site answering at its public host name, so that links in the sitemap, "
        "structured data and e-mails name it. Creates no account. Running it again creates "
        "nothing twice and only updates the Site's host name and port."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hostname",
            default=os.environ.get("SITE_HOSTNAME", ""),
            help="The site's public host name, e.g. clinic.example (default: $SITE_HOSTNAME).",
        )
        parser.add_argument(
            "--port",
            default=os.environ.get("SITE_PORT", "443"),
            help="The public port: 443 for https (default: $SITE_PORT, else 443).",
        )
        parser.add_argument(
            "--clinic-name",
            default=os.environ.get("CLINIC_NAME", ""),
            help="The clinic's name (default: $CLINIC_NAME).",
        )
        parser.add_argument(
            "--clinic-email",
            default=os.environ.get("CLINIC_EMAIL", ""),
            help="Where contact messages are sent (default: $CLINIC_EMAIL).",
        )

    def handle(self, *args, hostname, port, clinic_name, clinic_email, **options):
        hostname = hostname.strip().lower()
        if not HOSTNAME.fullmatch(hostname):
            raise CommandError(
                "Give the site's public host name, without scheme or port: "
                "SITE_HOSTNAME=clinic.example (or --hostname)."
            )
        port = int(port) if PORT.fullmatch(port) else 0
        if not 1 <= port <= 65535:
            raise CommandError("SITE_PORT (or --port) must be a port number: 443 for https.")
        try:
            validate_email(clinic_email)
        except ValidationError:
            raise CommandError(
                "Give the address that receives contact messages: "
                "CLINIC_EMAIL=reception@clinic.example (or --clinic-email)."
            ) from None

        with transaction.atomic():
            home = get_or_create_home_page()
            site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
            site.hostname, site.port, site.root_page = hostname, port, home
            site.site_name = clinic_name or site.site_name or hostname
            site.save()
            ClinicSettings.objects.get_or_create(
                site=site, defaults={"clinic_name": site.site_name, "email": clinic_email}
            )
            index = load_procedure_index(home)
            clinicians = load_practitioner_index(home)
            contact = load_contact_page(home, from_address="")

        self.stdout.write(f"Site ready at {site.root_url}")
        for page in (home, index, contact, clinicians):
            self.stdout.write(f"  {page.title}: {page.url_path[len(home.url_path) - 1 :]}")
        self.stdout.write(
            "Next: create an administrator (manage.py createsuperuser), then fill in the "
            "clinic's phone number and address in the admin under Settings."
        )
