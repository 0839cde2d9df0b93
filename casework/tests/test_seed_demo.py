"""`make run`'s demo data: quiet while loading, then the sign-ins last with the address the site
will really listen on."""

import logging
from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from clients.models import Expense, PersonFact

# Committed for real, so the jobs that follow the demo's writes run in-process as under `make run`.
pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(datetime(2026, 3, 10, 14, 0, tzinfo=UTC), tick=False)
def test_the_demo_ends_with_the_sign_ins_and_the_address_of_the_chosen_port(caplog):
    out = StringIO()
    caplog.set_level(logging.INFO)

    call_command("seed_demo", households=4, host="127.0.0.1", port="8123", stdout=out)

    lines = out.getvalue().rstrip().splitlines()
    block = lines[lines.index("Casework: http://127.0.0.1:8123/") :]
    assert block[1] == "Sign in as one of these (password for all: casework-demo-2026)"
    assert [line.split()[0] for line in block[2:]] == [
        "admin",
        "auditor",
        "finance",
        "north.office",
        "north.supervisor",
        "north.worker1..3",
        "south.office",
        "south.supervisor",
        "south.worker1..3",
        "north.manager",  # assistance's loader, after casework's
    ]
    assert "8000" not in out.getvalue()
    # One client lives on Social Security disability, verified.
    facts = PersonFact.objects.values_list("kind", "basis", "verification", "end_date")
    assert list(facts) == [("disability", "social_security", "verified", None)]
    noise = [r.getMessage() for r in caplog.records if r.name.startswith(("celery", "kombu"))]
    assert noise == []
    # Households pay utilities of every kind SNAP's standards tell apart, with the state's figures loaded.
    utilities = {"heating_cooling", "electricity", "water", "trash", "telephone"}
    assert set(Expense.objects.filter(kind__in=utilities).values_list("kind", flat=True)) == utilities
    parameters = apps.get_model("eligibility", "ParameterValue")  # by name: eligibility sits above casework
    sua = parameters.objects.get(name="snap.standard_utility_allowance", effective_from="2025-10-01")
    assert sua.value == "976"

    again = StringIO()
    call_command("seed_demo", port="9000", stdout=again)
    assert again.getvalue().startswith("Demo data is already loaded.")
    assert "Casework: http://127.0.0.1:9000/" in again.getvalue()
