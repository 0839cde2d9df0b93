"""What a client reads on a decision notice, and what a worker reads on the determination page:
the rules applied by their plain names and citations, never the parameters' internal keys."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from eligibility.models import Program
from eligibility.notices import notice_html
from eligibility.rules import PROGRAMS, shipped_table
from eligibility.rules.labels import LABELS
from eligibility.services import determination_finalise, determination_run, enrollment_apply
from eligibility.tests.helpers import APPLIED, FY2026, single_earner
from tests.factories import case_for
from tests.pdf import assert_tagged_pdf_ua

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 3, 15, 0, tzinfo=UTC)
INTERNAL_KEY = re.compile(r"\b(snap|income_support|drug_assistance)\.[a-z_]+")

PLAIN = {
    "snap": ["Resource limit (7 CFR 273.8(b))", "Maximum monthly benefit (7 CFR 273.10(e)(4))"],
    "income_support": ["Monthly basic benefit (NLR 144/04)", "Limit on cash, bank accounts and investments"],
    "drug_assistance": ["Co-pay by income (NLPDP Access Plan)", "Kinds of income counted (NLPDP Access Plan)"],
}


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def decided(worker, program_code: str):
    case = case_for(single_earner(worker.office), worker)
    enrollment = enrollment_apply(
        acting_user=worker, case=case, program=Program.objects.get(code=program_code), application_date=APPLIED
    )
    determination = determination_run(acting_user=worker, enrollment=enrollment, as_of=FY2026)
    decision = "approve" if determination.eligible else "deny"
    return determination_finalise(acting_user=worker, determination=determination, decision=decision)


@pytest.mark.parametrize("program_code", ["snap", "income_support", "drug_assistance"])
def test_the_notice_names_the_rules_applied_in_plain_words_with_citations(caseworker, program_code):
    determination = decided(caseworker, program_code)
    html = notice_html(determination=determination)
    rules_applied = html.split("Rules we applied", 1)[1]
    for label in PLAIN[program_code]:
        assert label in rules_applied
    assert not INTERNAL_KEY.search(html), INTERNAL_KEY.search(html)


@pytest.mark.parametrize("program_code", ["snap", "income_support", "drug_assistance"])
def test_the_determination_page_lists_the_same_plain_rules(client, caseworker, program_code):
    determination = decided(caseworker, program_code)
    client.force_login(caseworker)
    html = client.get(reverse("eligibility:determination_detail", args=[determination.pk])).content.decode()
    rules_applied = html.split("Rules applied", 1)[1]
    for label in PLAIN[program_code]:
        assert label in rules_applied
    assert not INTERNAL_KEY.search(html)


def test_every_parameter_a_rule_reads_has_a_plain_label():
    for code, module in PROGRAMS.items():
        names = {*module.REQUIRED, *getattr(module, "OPTIONAL", ()), *shipped_table(code).names}
        assert names <= set(LABELS), sorted(names - set(LABELS))


@pytest.mark.parametrize("program_code", ["snap", "income_support", "drug_assistance"])
def test_the_notice_pdf_is_tagged_for_screen_readers(client, caseworker, program_code):
    determination = decided(caseworker, program_code)
    client.force_login(caseworker)
    response = client.get(reverse("eligibility:determination_notice", args=[determination.pk]))
    assert response.status_code == 200
    program = Program.objects.get(code=program_code)
    assert_tagged_pdf_ua(response.content, title=f"{program.name} decision notice")


def test_the_notice_is_in_the_clients_language_whoever_asks_for_it(caseworker):
    determination = decided(caseworker, "snap")
    client = determination.enrollment.case.primary_client
    client.language = "Spanish"
    client.save(update_fields=["language"])

    html = notice_html(determination=determination)

    assert '<html lang="es">' in html
    assert "Reglas que aplicamos" in html
    assert "Si no está de acuerdo" in html
    assert "If you disagree" not in html


def test_a_client_without_another_language_gets_the_notice_in_english(caseworker):
    html = notice_html(determination=decided(caseworker, "snap"))

    assert '<html lang="en' in html
    assert "If you disagree" in html
