"""Monthly reports made before their figures were kept as numbers: each figure written in English
whose words are recognised is turned into its key and numbers, so the report reads in the reader's
language; a figure not recognised stays as written and is shown as it was made.

The words are read as the report wrote them when it was made (frozen here, as a migration must be).
"""

import re
from decimal import Decimal

from django.db import migrations

KINDS = {
    "Recurring benefit": "recurring",
    "One-off payment": "one_off",
    "Emergency funds": "emergency",
    "Food voucher": "food_voucher",
    "Emergency drug card": "drug_card",
    "Shelter nights": "shelter",
    "Travel": "travel",
    "Supportive service": "supportive",
    "Arrears (underpayment)": "arrears",
    "Out-of-province health claim": "health_claim",
}
OUTCOMES = {
    "In time": "in_time",
    "Late": "late",
    "Waiting, not yet late": "waiting",
    "Waiting, past the deadline": "overdue",
}
TIMELINESS_SUMMARY = re.compile(
    r"; (?P<late>\d+) late, (?P<nearly_late>\d+) nearly late; (?P<expedited>\d+) screened for expedited service"
)
MONEY = re.compile(r"(?P<sign>-?)\$(?P<digits>[\d,]+\.\d\d)")


def _amount(text: str) -> str:
    match = MONEY.fullmatch(text)
    if match is None:
        raise ValueError(text)
    return str(Decimal(match["sign"] + match["digits"].replace(",", "")))


def as_numbers(entry: dict) -> dict:
    """The figure's key and numbers, or the entry unchanged when its words are not recognised."""
    if "title" not in entry:
        return entry
    title, rows = entry["title"], entry.get("rows", [])
    try:
        if title == "Cases opened and closed":
            labelled = dict(rows)
            if set(labelled) != {"Opened", "Closed"}:
                return entry
            return {"key": "cases", "data": {"opened": int(labelled["Opened"]), "closed": int(labelled["Closed"])}}
        if title == "Clients served by program (paid in the month)":
            return {"key": "served", "data": {"programs": [[str(name), int(n)] for name, n in rows]}}
        if title == "Assistance by kind":
            return {"key": "assistance", "data": {"kinds": [[KINDS[kind], _amount(amount)] for kind, amount in rows]}}
        if title.startswith("SNAP applications decided in time"):
            said = TIMELINESS_SUMMARY.search(entry.get("summary", ""))
            labelled = dict(rows)
            if said is None or set(labelled) != set(OUTCOMES):
                return entry
            return {
                "key": "timeliness",
                "data": {
                    "counts": {OUTCOMES[label]: int(n) for label, n in labelled.items()},
                    "late": int(said["late"]),
                    "nearly_late": int(said["nearly_late"]),
                    "expedited": int(said["expedited"]),
                },
            }
    except (KeyError, TypeError, ValueError):
        return entry
    return entry


def forwards(apps, schema_editor):
    MonthlyReport = apps.get_model("reports", "MonthlyReport")
    for report in MonthlyReport.objects.only("id", "figures").iterator():
        figures = [as_numbers(entry) for entry in report.figures]
        if figures != report.figures:
            report.figures = figures
            report.save(update_fields=["figures"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_monthly_report_language")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
