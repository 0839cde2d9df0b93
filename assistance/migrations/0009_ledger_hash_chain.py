"""The ledger's hash chain: each transaction's place and hash, its entries included.

Transactions already posted are chained in the order of their ids, with the append-only
trigger off for the length of this migration only.
"""

from django.conf import settings
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    from audit.chain import GENESIS, LEDGER, digest, ledger_content

    LedgerTransaction = apps.get_model("assistance", "LedgerTransaction")
    LedgerEntry = apps.get_model("assistance", "LedgerEntry")
    ChainHead = apps.get_model("audit", "ChainHead")
    postgres = schema_editor.connection.vendor == "postgresql"
    table = "assistance_ledgertransaction"
    if postgres:
        schema_editor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
    seq, previous, last_id = 0, GENESIS, 0
    while True:
        transactions = list(LedgerTransaction.objects.filter(id__gt=last_id).order_by("id")[:2000])
        if not transactions:
            break
        entries: dict[int, list] = {}
        for entry in LedgerEntry.objects.filter(transaction_id__in=[t.id for t in transactions]):
            entries.setdefault(entry.transaction_id, []).append(entry)
        for transaction in transactions:
            seq += 1
            previous = digest(previous, seq, ledger_content(transaction, entries.get(transaction.id, ())))
            transaction.seq, transaction.hash = seq, previous
        LedgerTransaction.objects.bulk_update(transactions, ["seq", "hash"])
        last_id = transactions[-1].id
    if postgres:
        schema_editor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")
    ChainHead.objects.update_or_create(name=LEDGER, defaults={"seq": seq, "hash": previous})


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0008_issued_money_immutable"),
        ("audit", "0004_hash_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgertransaction",
            name="hash",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="ledgertransaction",
            name="seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="ledgertransaction",
            constraint=models.UniqueConstraint(fields=("seq",), name="ledgertransaction_one_row_per_chain_position"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
