"""Walk the hash chains of the audit trail and the ledger; with --anchors, check the anchored heads too.

    manage.py audit_verify [--anchors FILE [--since-anchor]]

Prints a line per chain and exits 0 when everything holds; the trail's newest events, still
waiting for the chainer to give them their place, are counted and accepted for
CASEWORK_AUDIT_CHAIN_WAIT_SECONDS. Otherwise it names the first row
changed, removed or inserted in each chain (by id and position), or each anchored head that is
no longer in its chain with its hash, and exits 1. Run it after restoring a backup, too.

With --since-anchor, each chain is walked only from its furthest anchored head that still holds:
the daily check of a state-sized trail reads a day's rows rather than all of them. Rows before that
head are vouched for by its hash; a whole walk (without the flag) remains the check after a restore.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audit.chain import AUDIT, LABELS, LEDGER, anchors_verify, chain_verify, wait_limit


class Command(BaseCommand):
    help = "Check that nobody changed, removed or inserted rows of the audit trail or the ledger."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--anchors", metavar="FILE", help="An anchor file whose heads must still be in the chains.")
        parser.add_argument(
            "--since-anchor",
            action="store_true",
            help="Walk each chain from its furthest anchored head in FILE, not from its first row.",
        )

    def handle(self, *args, anchors: str | None = None, since_anchor: bool = False, **options) -> None:
        if since_anchor and not anchors:
            raise CommandError("--since-anchor needs --anchors FILE: the heads to start from are read there.")
        broken, starts = 0, {}
        if anchors:
            try:
                with open(anchors, encoding="utf-8") as file:
                    check = anchors_verify(file)
            except OSError as error:
                raise CommandError(f"Cannot read the anchor file: {error}") from error
            for problem in check.problems:
                self.stdout.write(f"Anchor: {problem}")
            broken += len(check.problems)
            if not check.problems:
                self.stdout.write(f"Anchors: all {check.checked} still in their chains")
            if since_anchor:
                starts = check.newest
        for chain in (AUDIT, LEDGER):
            since = starts.get(chain)
            report = chain_verify(chain, since=since)
            label, row_name = LABELS[chain]
            walked = f" since position {since[0]}" if since else ""
            if report.intact:
                self.stdout.write(
                    f"{label}: intact, {report.rows} {row_name}{'s' if report.rows != 1 else ''}{walked}; head at "
                    f"position {report.head_seq} ({row_name} {report.head_id}), {report.head_hash}"
                )
                if report.waiting:
                    since_at = timezone.localtime(report.waiting_since).isoformat(timespec="seconds")
                    self.stdout.write(
                        f"{label}: {report.waiting} newer {row_name}{'s' if report.waiting != 1 else ''} waiting for "
                        f"a place in the chain (the oldest written {since_at}), within the "
                        f"{int(wait_limit(chain).total_seconds())}-second wait"
                    )
            else:
                broken += 1
                self.stdout.write(f"{label}: BROKEN after {report.rows} intact{walked}: {report.problem}")
        if broken:
            raise CommandError(f"{broken} problem{'s' if broken != 1 else ''} found: the records were changed.")
