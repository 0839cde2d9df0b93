"""The double-entry ledger: every movement of money is a transaction whose entries sum to zero.

Debits are positive, credits negative. The accounts:

- issued: assistance granted (debited when an issuance is issued, credited when an overpayment
  shows part of it was not due);
- payments: money leaving the agency to payees (credited on issue), or coming back from
  a client's repayment (debited);
- receivable: what clients owe on overpayments (debited when established, credited by each
  recovery, repayment or write-off);
- written_off: overpayments the agency gave up recovering.

Entries are never changed or removed; a mistake is corrected by a reversing transaction. On
PostgreSQL the database refuses an UPDATE or DELETE and, at commit, a transaction whose
entries do not sum to zero (migration 0002).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assistance.models.issuances import MONEY
from audit.append_only import AppendOnlyModel


class Account(models.TextChoices):
    ISSUED = "issued", _("Assistance issued")
    PAYMENTS = "payments", _("Payments to payees")
    RECEIVABLE = "receivable", _("Overpayments receivable")
    WRITTEN_OFF = "written_off", _("Overpayments written off")


class LedgerTransaction(AppendOnlyModel):
    """One balanced posting: an issue, a reversal, an overpayment, a repayment or a write-off."""

    append_only_message = "Ledger transactions are never changed; post a reversing transaction instead."

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue")
        REVERSAL = "reversal", _("Reversal")
        OVERPAYMENT = "overpayment", _("Overpayment established")
        REPAYMENT = "repayment", _("Repayment received")
        WRITE_OFF = "write_off", _("Write-off")
        TRANSFER = "transfer", _("Moved to the surviving record of a merged client")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    issuance = models.ForeignKey(
        "assistance.Issuance", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_transactions"
    )
    overpayment = models.ForeignKey(
        "assistance.Overpayment", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_transactions"
    )
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    memo = models.CharField(max_length=300, blank=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)
    #: Its place in the ledger's hash chain and the chain's hash up to it, entries included (`audit.chain`).
    seq = models.BigIntegerField(null=True, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["seq"], name="ledgertransaction_one_row_per_chain_position"),
            # An issuance is issued once: one issue posting per issuance.
            models.UniqueConstraint(
                fields=["issuance"], condition=Q(kind="issue"), name="ledgertransaction_one_issue_per_issuance"
            ),
            models.UniqueConstraint(
                fields=["overpayment"],
                condition=Q(kind="overpayment"),
                name="ledgertransaction_one_establishment_per_overpayment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class LedgerEntry(AppendOnlyModel):
    """One line of a transaction: an amount on one account, for one client, program and month."""

    append_only_message = "Ledger entries are never changed; post a reversing transaction instead."

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.CharField(max_length=12, choices=Account.choices)
    amount = models.DecimalField(**MONEY, help_text=_("Debit positive, credit negative."))
    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="ledger_entries")
    program = models.ForeignKey("eligibility.Program", on_delete=models.PROTECT, related_name="ledger_entries")
    #: The first of the month the money belongs to (the benefit month, or the month it moved).
    period = models.DateField()
    overpayment = models.ForeignKey(
        "assistance.Overpayment", on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_entries"
    )
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["posted_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledgerentry_amount_not_zero"),
            models.CheckConstraint(
                condition=Q(overpayment__isnull=True) | Q(account="receivable"),
                name="ledgerentry_overpayment_only_on_receivable",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "account", "period"], name="ledgerentry_client_account"),
            models.Index(fields=["program", "period", "account"], name="ledgerentry_program_period"),
            models.Index(fields=["case", "posted_at"], name="ledgerentry_case_posted"),
        ]

    def __str__(self) -> str:
        return f"{self.get_account_display()} {self.amount}"
