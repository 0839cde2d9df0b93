"""Give the trail's committed events still without a place in the hash chain theirs, in the order written.

    manage.py audit_chain

Beat does it every few seconds (`audit.tasks.events_chain`); run it by hand after the workers
were stopped for longer than CASEWORK_AUDIT_CHAIN_WAIT_SECONDS, before `audit_verify`.
"""

from django.core.management.base import BaseCommand

from audit.chain import audit_link_pending


class Command(BaseCommand):
    help = "Place the audit trail's new events in its hash chain."

    def handle(self, *args, **options) -> None:
        linked = audit_link_pending()
        self.stdout.write(f"Audit trail: {linked} event{'s' if linked != 1 else ''} placed in the chain")
