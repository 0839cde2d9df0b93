"""Append the heads of the trail's and the ledger's hash chains to the anchor file.

    manage.py audit_anchor [--file PATH]

Beat does it daily (`audit.tasks.chains_anchor`); the file is CASEWORK_AUDIT_ANCHOR_FILE.
"""

from django.core.management.base import BaseCommand

from audit.chain import LABELS
from audit.services import chain_anchor


class Command(BaseCommand):
    help = "Write the hash chains' heads to the anchor file kept outside the database."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", help="The anchor file (default: the CASEWORK_AUDIT_ANCHOR_FILE setting).")

    def handle(self, *args, file: str | None = None, **options) -> None:
        for anchor in chain_anchor(path=file):
            label, row_name = LABELS[anchor.chain]
            self.stdout.write(
                f"{label}: position {anchor.seq} ({row_name} {anchor.last_id}), {anchor.hash} -> {anchor.file}"
            )
