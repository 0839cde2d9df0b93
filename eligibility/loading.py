"""Loading the shipped programs and parameter values into the database, idempotently.

Used by the data migration (with historical models) and by `manage.py eligibility_load_parameters`.
A value already stored for a (program, name, effective_from) is left as it is: an admin's
correction wins over the shipped file, and a value a determination used is never rewritten.
"""

from __future__ import annotations

import json
from typing import Any

from eligibility.rules.parameters import DATA_DIR, SHIPPED_FILES, STATE_FILES, decode_value, state_file

PROGRAMS: list[dict[str, Any]] = [
    {
        "code": "snap",
        "name": "SNAP",
        "rules_module": "snap",
        "description": "Supplemental Nutrition Assistance Program: monthly food benefits (7 CFR part 273).",
        "review_period_months": 12,
        "notice_days": 10,
        "grace_days": 0,
        "appeal_days": 90,
        "appeal_authority": "7 CFR 273.15(g): a household may request a fair hearing within 90 days of the action.",
        "exempt_asset_kinds": ["property"],
    },
    {
        "code": "income_support",
        "name": "Income Support",
        "rules_module": "income_support",
        "description": "Basic needs assistance (modelled on Newfoundland and Labrador, NLR 144/04).",
        "review_period_months": 12,
        "notice_days": 10,
        "grace_days": 15,
        "appeal_days": 30,
        "appeal_authority": "Income and Employment Support Act, SNL 2002 c I-0.1, appeal to the Appeal Board.",
        "exempt_asset_kinds": ["property", "vehicle"],
    },
    {
        "code": "drug_assistance",
        "name": "Prescription Drug Assistance",
        "rules_module": "drug_assistance",
        "description": "Co-pay for prescriptions by income band (modelled on the NLPDP Access Plan).",
        "review_period_months": 12,
        "notice_days": 10,
        "grace_days": 30,
        "appeal_days": 30,
        "appeal_authority": "Prescription Drug Program policy: request a review in writing.",
        "exempt_asset_kinds": [],
    },
]


def shipped_records(module: str, states: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The shipped JSON records of a rules module and of the `states` chosen for it, each value
    checked by the rules' decoder."""
    filenames = [SHIPPED_FILES[module]]
    filenames += [state_file(module, state) for state in states if state in STATE_FILES.get(module, {})]
    records: list[dict[str, Any]] = []
    for filename in filenames:
        with open(DATA_DIR / filename, encoding="utf-8") as handle:
            records.extend(json.load(handle)["parameters"])
    for record in records:
        decode_value(record["value"], record["name"])  # refuses a float amount before it is stored
    return records


def load_shipped(program_model, parameter_model, *, states: tuple[str, ...] = ()) -> tuple[int, int]:
    """Create missing programs and parameter values, with those of the `states` chosen ("ct": the
    state's figures over the federal placeholders). Returns (programs created, values created)."""
    programs_created = values_created = 0
    for spec in PROGRAMS:
        program, created = program_model.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
        programs_created += created
        for record in shipped_records(program.rules_module, states):
            source = record.get("source", {})
            _, created = parameter_model.objects.get_or_create(
                program=program,
                name=record["name"],
                effective_from=record["effective_from"],
                defaults={
                    "value": record["value"],
                    "source_title": source.get("title", ""),
                    "source_url": source.get("url", ""),
                    "note": record.get("note", ""),
                    "example": bool(record.get("example", False)),
                },
            )
            values_created += created
    return programs_created, values_created
