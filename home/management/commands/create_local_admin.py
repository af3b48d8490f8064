from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "clinic-admin-local"


class Command(BaseCommand):
    help = (
        "For local use: create the admin account 'admin' if no superuser exists yet, "
        "and print how to log in."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("create_local_admin is for local development only (DEBUG is off).")
        User = get_user_model()
        user = User.objects.filter(is_superuser=True).order_by("pk").first()
        if user is None:
            user = User.objects.create_superuser(
                username=USERNAME, email="admin@clinic.example", password=PASSWORD
            )
            self.stdout.write(f"Created the local admin account '{USERNAME}'.")
        if user.username == USERNAME and user.check_password(PASSWORD):
            login = f"username '{USERNAME}', password '{PASSWORD}'"
        else:
            login = f"username '{user.username}' (with the password you set)"
        self.stdout.write(f"Admin login (local use only): {login} at /admin/")
