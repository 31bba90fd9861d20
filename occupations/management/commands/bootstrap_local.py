"""First-run set-up for `make run`: demo profiles and a local admin account.

Idempotent: profiles are loaded only into an empty database (so editors' changes survive
later runs) and the admin account is created once. Refuses to run with debug off.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from occupations.models import Occupation
from occupations.search import update_search_vectors

FIXTURES = ["vocabulary", "power-distributors-and-dispatchers", "distribution-system-operator"]
CREDENTIALS_FILE = settings.BASE_DIR / ".local-admin-credentials"
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load the demo profiles into an empty database and make sure a local admin exists."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "bootstrap_local is for local development only (DJANGO_DEBUG is off)."
            )
        if not Occupation.objects.exists():
            # This project's loaddata records a first revision of each profile it loads
            # (occupations/management/commands/loaddata.py).
            call_command("loaddata", *FIXTURES, verbosity=0)
            self.stdout.write(f"Loaded the demo profiles ({', '.join(FIXTURES)}).")
        else:
            # A database made before the search index existed: index what it holds.
            update_search_vectors(Occupation.objects.values_list("pk", flat=True))
        self._ensure_admin()

    def _ensure_admin(self):
        users = get_user_model().objects
        if users.filter(username=ADMIN_USERNAME).exists():
            where = CREDENTIALS_FILE if CREDENTIALS_FILE.exists() else "your own records"
            self.stdout.write(
                f"Local admin account '{ADMIN_USERNAME}' exists (password in {where})."
            )
            return
        password = secrets.token_urlsafe(12)
        users.create_superuser(ADMIN_USERNAME, "admin@localhost", password)
        CREDENTIALS_FILE.write_text(f"username: {ADMIN_USERNAME}\npassword: {password}\n")
        CREDENTIALS_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the local admin account.\n  username: {ADMIN_USERNAME}\n"
                f"  password: {password}\n  (kept in {CREDENTIALS_FILE}; log in at /admin/)"
            )
        )
