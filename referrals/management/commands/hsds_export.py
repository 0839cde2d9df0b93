"""Export the resource directory as an HSDS 3.0 datapackage.

manage.py hsds_export PATH      (a folder, made if need be, or a path ending in .zip)
"""

from django.core.management.base import BaseCommand

from referrals.hsds import export_package


class Command(BaseCommand):
    help = "Export the resource directory as an HSDS datapackage (folder or zip)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")

    def handle(self, *args, path: str, **options) -> None:
        files = export_package(path)
        self.stdout.write(f"Wrote {len(files)} file(s) to {path}: {', '.join(files)}")
