"""The trail's hash chain: each event's place and hash, the chains' heads, and their anchors.

Events already written are chained in the order of their ids (the order they were inserted),
with the append-only trigger off for the length of this migration only.
"""

from django.conf import settings
from django.db import migrations, models

from audit.append_only import append_only_trigger


def chain_existing(apps, schema_editor):
    from audit.chain import AUDIT, GENESIS, audit_content, digest

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEventClient = apps.get_model("audit", "AuditEventClient")
    ChainHead = apps.get_model("audit", "ChainHead")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
    seq, previous, last_id = 0, GENESIS, 0
    while True:
        events = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:2000])
        if not events:
            break
        clients: dict[int, list[int]] = {}
        for event_id, client_id in AuditEventClient.objects.filter(event_id__in=[e.id for e in events]).values_list(
            "event_id", "client_id"
        ):
            clients.setdefault(event_id, []).append(client_id)
        for event in events:
            seq += 1
            previous = digest(previous, seq, audit_content(event, clients.get(event.id, ())))
            event.seq, event.hash = seq, previous
        AuditEvent.objects.bulk_update(events, ["seq", "hash"])
        last_id = events[-1].id
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only")
    ChainHead.objects.update_or_create(name=AUDIT, defaults={"seq": seq, "hash": previous})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_changes_keep_dates_amounts_and_uuids"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ChainAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("anchored_at", models.DateTimeField(db_index=True)),
                ("chain", models.CharField(max_length=20)),
                ("seq", models.BigIntegerField()),
                ("last_id", models.BigIntegerField(blank=True, null=True)),
                ("hash", models.CharField(max_length=64)),
                ("file", models.CharField(max_length=500)),
            ],
            options={
                "ordering": ["-anchored_at", "chain"],
            },
        ),
        migrations.CreateModel(
            name="ChainHead",
            fields=[
                ("name", models.CharField(max_length=20, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
                ("moved_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, db_default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("seq",), name="auditevent_one_row_per_chain_position"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        append_only_trigger(function="audit_refuse_anchor_change", tables=["audit_chainanchor"], what="Anchors"),
    ]
