"""Import an Open Referral HSDS datapackage into the resource directory.

    manage.py hsds_import PATH      (a folder of CSV files, or a .zip of them)

Every row is checked first; a bad file is refused with each bad row and why, and nothing
is imported. Importing the same file again updates the records it lists (by HSDS id).
"""

from django.core.management.base import BaseCommand, CommandError

from referrals.hsds import HsdsError
from referrals.services import directory_import


class Command(BaseCommand):
    help = "Import an HSDS datapackage (folder or zip) into the resource directory."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        try:
            report = directory_import(acting_user=None, source=path, name=path)
        except HsdsError as error:
            raise CommandError(f"Nothing was imported:\n{error}") from error
        for table, counts in report.counts.items():
            self.stdout.write(f"{table}: {counts}")
        self.stdout.write(f"Imported {path}: {report.changed} record(s) created or updated.")
