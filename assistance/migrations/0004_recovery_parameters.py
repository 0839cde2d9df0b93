"""The monthly caps on recovering overpayments from recurring benefits, as program parameters.

Read by `assistance.services.recovery.recovery_caps` like every rule parameter: the version with
the newest `effective_from` on or before the benefit month. Admins add later versions in the
Django admin; a value already stored is left as it is.

SNAP: 7 CFR 273.18(g)(1), allotment reduction: for claims other than an intentional program
violation, the greater of 10 percent of the household's monthly allotment or $10; for an
intentional program violation, the greater of 20 percent or $20.

Income Support: example values only (flagged `example`), shaped like SNAP's. The province sets
its own rate of recovery (NLR 144/04, s. 50, "Rate of recovery", as amended); the agency must
enter its figures before relying on them.
"""

from datetime import date

from django.db import migrations

SNAP_SOURCE = (
    "7 CFR 273.18(g)(1): allotment reduction, the greater of 10 percent of the monthly allotment or $10 "
    "(inadvertent household and agency error claims), the greater of 20 percent or $20 (intentional program "
    "violation claims)"
)
SNAP_URL = "https://www.ecfr.gov/current/title-7/subtitle-B/chapter-II/subchapter-C/part-273/subpart-D/section-273.18"
SNAP_NOTE = "In force long before this date; stated from the first month this system pays."

EXAMPLE_SOURCE = (
    "EXAMPLE VALUE, not an official rate: the agency must set its own. The province's rate of recovery is in "
    "the Income and Employment Support Regulations, NLR 144/04, s. 50 (as amended)."
)
EXAMPLE_URL = "http://www.assembly.nl.ca/legislation/sr/annualregs/2004/Nr040144.htm"
EXAMPLE_NOTE = "Example figure shaped like SNAP's caps; replace it with the agency's own before paying."

FROM = date(2020, 1, 1)

VALUES = [
    # program code, name, value, source title, url, note, example
    ("snap", "recovery.percent", "10", SNAP_SOURCE, SNAP_URL, SNAP_NOTE, False),
    ("snap", "recovery.minimum", "10.00", SNAP_SOURCE, SNAP_URL, SNAP_NOTE, False),
    ("snap", "recovery.intentional_percent", "20", SNAP_SOURCE, SNAP_URL, SNAP_NOTE, False),
    ("snap", "recovery.intentional_minimum", "20.00", SNAP_SOURCE, SNAP_URL, SNAP_NOTE, False),
    ("income_support", "recovery.percent", "10", EXAMPLE_SOURCE, EXAMPLE_URL, EXAMPLE_NOTE, True),
    ("income_support", "recovery.minimum", "10.00", EXAMPLE_SOURCE, EXAMPLE_URL, EXAMPLE_NOTE, True),
    ("income_support", "recovery.intentional_percent", "20", EXAMPLE_SOURCE, EXAMPLE_URL, EXAMPLE_NOTE, True),
    ("income_support", "recovery.intentional_minimum", "20.00", EXAMPLE_SOURCE, EXAMPLE_URL, EXAMPLE_NOTE, True),
]


def add_caps(apps, schema_editor):
    Program = apps.get_model("eligibility", "Program")
    ParameterValue = apps.get_model("eligibility", "ParameterValue")
    programs = {p.code: p for p in Program.objects.filter(code__in={row[0] for row in VALUES})}
    for code, name, value, title, url, note, example in VALUES:
        program = programs.get(code)
        if program is None:
            continue
        ParameterValue.objects.get_or_create(
            program=program,
            name=name,
            effective_from=FROM,
            defaults={"value": value, "source_title": title, "source_url": url, "note": note, "example": example},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0003_default_authority_limits"),
        ("eligibility", "0003_reviews_and_job_claims"),
    ]

    operations = [migrations.RunPython(add_caps, migrations.RunPython.noop)]
