"""What the three import commands share: options, progress bar, summary, exit status."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from .services import ImportOptions
from .tabular import ImportFileError


def terminal_progress(on_terminal):
    """A tqdm bar factory when the output is a terminal, else None (logs stay clean)."""
    if not on_terminal:
        return None

    def bar(total):
        from tqdm import tqdm

        return tqdm(total=total, unit="profile", file=sys.stderr, leave=False)

    return bar


class ImportCommand(BaseCommand):
    # The system checks (`manage.py check`, CI, every server start) cost a second of each
    # import's start-up; an import needs the database, not them.
    requires_system_checks = []
    path_help = ""
    default_release = ""
    importer = None  # one of imports.services.import_*

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help=self.path_help)
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what would change; write nothing."
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish new profiles (default: drafts)."
        )
        parser.add_argument("--release", default=self.default_release, help="Default: %(default)s")
        parser.add_argument("--user", help="Username the history credits (default: none).")

    def handle(self, *args, path, dry_run, publish, release, user, **options):
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"No user named {user!r}.")
        options = ImportOptions(
            path=path,
            release=release,
            user=account,
            publish=publish,
            dry_run=dry_run,
            progress=terminal_progress(self.stdout.isatty()),
        )
        try:
            report = type(self).importer(options)
        except ImportFileError as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        heading = "Dry run: nothing was written. Would do:" if dry_run else "Done:"
        self.stdout.write(heading)
        self.stdout.write(report.text())
